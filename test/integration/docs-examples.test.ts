/**
 * Every shell example in the README and docs/*.md works as pasted, on any ports. The stack starts as `npm start`
 * starts it, on free ports that are none of the defaults, in a scratch copy of the repository's root (links to its
 * files and folders, and a `.local/` of its own, so a developer's own `npm start` and its record are left alone).
 * Each page's ```sh / ```bash blocks then run in order in one bash (`set -euo pipefail`), as a reader pastes them
 * into one terminal, and each must exit 0; a `.curlrc` with `fail-with-body` makes any 4xx or 5xx answer fail its
 * block. A block that cannot run here says why right above itself, `<!-- not run: reason -->`, and is reported as
 * skipped with that reason; any other block must run.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, type StartedStack, startLocalStackProcess } from '../support/local-start.ts';

interface Block {
  page: string;
  line: number;
  code: string;
  /** Why it is not run, from the `<!-- not run: … -->` right above it. */
  notRun?: string;
}

const SHELLS = new Set(['sh', 'bash', 'shell', 'zsh']);
const NOT_RUN = /^<!--\s*not run:\s*(.+?)\s*-->$/;

/** The page's shell blocks in order; a `not run` marker that is not right above a shell block is an error. */
function shellBlocks(page: string, text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let marker: { reason: string; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const fence = /^```(\S*)/.exec(line);
    if (!fence) {
      const m = NOT_RUN.exec(line);
      if (marker && line !== '')
        throw new Error(`${page}:${marker.line}: "not run" is not right above a block`);
      if (m) marker = { reason: m[1]!, line: i + 1 };
      continue;
    }
    const start = i;
    const body: string[] = [];
    const indent = /^\s*/.exec(lines[i]!)![0].length;
    for (i++; i < lines.length && lines[i]!.trim() !== '```'; i++) body.push(lines[i]!.slice(indent));
    const lang = fence[1]!.toLowerCase();
    if (SHELLS.has(lang)) {
      blocks.push({
        page,
        line: start + 1,
        code: body.join('\n'),
        ...(marker ? { notRun: marker.reason } : {}),
      });
    } else if (marker) {
      throw new Error(
        `${page}:${marker.line}: "not run" stands above a ${lang || 'plain'} block, which is never run`,
      );
    }
    marker = undefined;
  }
  if (marker) throw new Error(`${page}:${marker.line}: "not run" is not right above a block`);
  return blocks;
}

const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`),
];
const BLOCKS = PAGES.map((page) => shellBlocks(page, readFileSync(join(ROOT, page), 'utf8')));

// The scratch root: every top-level entry of the repository linked, but its own `.local/` (endpoints, key, data).
const work = mkdtempSync(join(tmpdir(), 'docs-examples-'));
const root = join(work, 'repo');
const curlHome = join(work, 'curl');
const toolsDir = join(work, 'bin');
let stack: StartedStack | undefined;
let blockFiles = 0;

beforeAll(async () => {
  mkdirSync(root);
  mkdirSync(curlHome);
  for (const entry of readdirSync(ROOT)) {
    if (entry === '.local' || entry === '.git') continue;
    symlinkSync(join(ROOT, entry), join(root, entry));
  }
  writeFileSync(join(curlHome, '.curlrc'), 'fail-with-body\nshow-error\n');
  // The examples use jq; where the machine has none, the real jq compiled to WebAssembly stands in (jq-wasm).
  if (spawnSync('sh', ['-c', 'command -v jq']).status !== 0) {
    mkdirSync(toolsDir);
    writeFileSync(
      join(toolsDir, 'jq'),
      `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'test/support/jq-shim.mjs')}" "$@"\n`,
      { mode: 0o755 },
    );
    console.info('jq is not installed here: the examples use jq-wasm (test/support/jq-shim.mjs)');
  }
  stack = await startLocalStackProcess(root);
  void runAllPages(); // each block's test awaits its own outcome
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(work, { recursive: true, force: true });
}, 30_000);

it('finds the pages and their examples, and marks what it skips', () => {
  expect(PAGES).toContain('docs/api.md');
  expect(BLOCKS.flat().filter((b) => !b.notRun).length).toBeGreaterThan(10);
  const skipped = BLOCKS.flat().filter((b) => b.notRun);
  console.info(
    `Shell examples not run (${skipped.length}):\n${skipped.map((b) => `  ${b.page}:${b.line}: ${b.notRun}`).join('\n')}`,
  );
  expect(shellBlocks('x.md', '<!-- not run: y -->\n```sh\nfalse\n```\n```bash\ntrue\n```')).toEqual([
    { page: 'x.md', line: 2, code: 'false', notRun: 'y' },
    { page: 'x.md', line: 5, code: 'true' },
  ]);
  expect(() => shellBlocks('x.md', '<!-- not run: y -->\ntext\n```sh\nfalse\n```')).toThrow(
    /not right above/,
  );
});

/** One bash per page, fed one block at a time; the environment holds no AWS settings of the developer's. */
class Session {
  private readonly bash: ChildProcess;
  private output = '';
  private dead: string | undefined;
  private readonly done: string[] = [];
  private readonly closed: Promise<number | null>;

  constructor() {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(AWS_|API_URL$|TABLE_NAME$)/.test(k)) env[k] = v;
    this.bash = spawn('bash', ['--noprofile', '--norc'], {
      cwd: root,
      env: { ...env, CURL_HOME: curlHome, PATH: `${toolsDir}:${env.PATH ?? ''}` },
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const keep = (d: Buffer) => {
      this.output = (this.output + d).slice(-8_000);
    };
    this.bash.stdout!.on('data', keep);
    this.bash.stderr!.on('data', keep);
    (this.bash.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
      this.done.push(...String(d).split('\n').filter(Boolean));
    });
    this.closed = new Promise((r) => this.bash.on('close', r));
    this.bash.stdin!.write('set -euo pipefail\n');
  }

  /** Runs one block (its stdin is /dev/null, so nothing it runs can read the next block); its exit and output. */
  async run(
    n: number,
    code: string,
    timeoutMs: number,
  ): Promise<{ ok: boolean; output: string; why: string }> {
    if (this.dead) return { ok: false, output: '', why: this.dead };
    const file = join(work, `block-${++blockFiles}.sh`);
    writeFileSync(file, `${code}\n`);
    this.output = '';
    this.bash.stdin!.write(`source '${file}' </dev/null\nprintf '%s\\n' ${n} >&3\n`);
    const finished = new Promise<string>((r) => {
      const poll = setInterval(() => {
        if (this.done.includes(String(n))) {
          clearInterval(poll);
          r('done');
        }
      }, 50);
      void this.closed.then((c) => {
        clearInterval(poll);
        r(`bash exited ${c}`);
      });
    });
    const timeout = new Promise<string>((r) =>
      setTimeout(() => r(`still running after ${timeoutMs} ms`), timeoutMs),
    );
    const why = await Promise.race([finished, timeout]);
    if (why !== 'done') this.dead = `not run: an earlier block of this page failed (${why})`;
    return { ok: why === 'done', output: this.output, why };
  }

  async close(): Promise<void> {
    this.bash.stdin!.end();
    const force = setTimeout(() => this.bash.kill('SIGKILL'), 5_000);
    await this.closed;
    clearTimeout(force);
  }
}

interface Outcome {
  ok: boolean;
  output: string;
  why: string;
}
const outcomes = new Map<Block, { promise: Promise<Outcome>; resolve: (o: Outcome) => void }>();
for (const block of BLOCKS.flat().filter((b) => !b.notRun)) {
  let resolve!: (o: Outcome) => void;
  const promise = new Promise<Outcome>((r) => {
    resolve = r;
  });
  outcomes.set(block, { promise, resolve });
}

/** A page's blocks in order, in one session. */
async function runPage(blocks: Block[]): Promise<void> {
  const runnable = blocks.filter((b) => !b.notRun);
  if (runnable.length === 0) return;
  const session = new Session();
  try {
    for (const [n, block] of runnable.entries())
      outcomes.get(block)!.resolve(await session.run(n, block.code, 45_000));
  } finally {
    await session.close();
  }
}

/**
 * Pages are independent (each makes its own users and organizations), so up to three run at once; a page that checks
 * the invariants runs after the others, since the check judges the table at rest (not, say, between an accept and the
 * workflow's resume in another page's migration).
 */
async function runAllPages(): Promise<void> {
  const atRest = (blocks: Block[]) => blocks.some((b) => !b.notRun && b.code.includes('check-invariants'));
  const first = BLOCKS.filter((b) => !atRest(b));
  const workers = Array.from({ length: 3 }, async () => {
    for (let page = first.shift(); page; page = first.shift()) await runPage(page);
  });
  await Promise.all(workers);
  for (const page of BLOCKS.filter(atRest)) await runPage(page);
}

describe.each(
  // A block marked not run is no test: the first test lists each with its reason.
  PAGES.map((page, i) => ({ page, blocks: BLOCKS[i]!.filter((b) => !b.notRun) })).filter(
    (p) => p.blocks.length > 0,
  ),
)('$page', ({ page, blocks }) => {
  for (const block of blocks) {
    const title = `line ${block.line}`;
    it(title, async () => {
      const { ok, output, why } = await outcomes.get(block)!.promise;
      expect(
        ok,
        `${page}:${block.line}: ${why}\n--- block ---\n${block.code}\n--- output ---\n${output}`,
      ).toBe(true);
    }, 150_000);
  }
});
