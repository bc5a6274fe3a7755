/** `npm run docs`: rewrite the README's generated tables (routes, roles) from the code. `--check` only compares. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderReadme } from './readme.ts';

const { values } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'Usage: npm run docs [-- --check]\nRewrites the route and role tables in README.md from functions/routes.ts and functions/shared/roles.ts.\n  --check  exit 1 if README.md differs, writing nothing',
  );
  process.exit(0);
}
const file = resolve(import.meta.dirname, '../README.md');
const before = readFileSync(file, 'utf8');
const after = renderReadme(before);
if (values.check) {
  if (after !== before) {
    console.error('README.md tables are out of date: run npm run docs');
    process.exit(1);
  }
} else if (after !== before) {
  writeFileSync(file, after);
  console.log('README.md: tables rewritten');
} else {
  console.log('README.md: tables already up to date');
}
