/**
 * `jq` for the docs-examples test on machines without it: the real jq compiled to WebAssembly (the jq-wasm package),
 * behind jq's own command line: flags, `--arg`/`--argjson`, a filter, then files or standard input. jq-wasm reports
 * no exit status, so `-e` is applied here as jq does it: exit 1 when the last output is false or null, or there is none.
 */
import { readFileSync } from 'node:fs';
import { raw } from 'jq-wasm';

const args = process.argv.slice(2);
const flags = [];
const positionals = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--arg' || a === '--argjson') flags.push(a, args[++i], args[++i]);
  else if (a.startsWith('-') && a.length > 1) flags.push(a);
  else positionals.push(a);
}
const [filter = '.', ...files] = positionals;
let input;
try {
  input = files.length ? files.map((f) => readFileSync(f, 'utf8')).join('\n') : readFileSync(0, 'utf8');
} catch (e) {
  process.stderr.write(`jq: error: Could not open ${e.path ?? 'the input'}: ${e.code}\n`);
  process.exit(2);
}
const exitStatus = flags.some((f) => f === '--exit-status' || /^-[a-z]*e[a-z]*$/.test(f));
try {
  const out = await raw(flags.includes('-n') ? 'null' : input, filter, flags);
  if (out) process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  const last = out.trim().split('\n').at(-1);
  process.exit(exitStatus && (!out.trim() || last === 'false' || last === 'null') ? 1 : 0);
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e.message?.includes('compile error') ? 3 : 5);
}
