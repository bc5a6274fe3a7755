/**
 * Builds the console with the project's esbuild: one ES module bundle, the page and the stylesheet. The local gateway
 * serves the result from memory; the stack uploads the same files to S3. Nothing is fetched from a CDN at run time.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BuildOptions, build, buildSync } from 'esbuild';

const here = import.meta.dirname;
const STATIC = ['index.html', 'console.css'] as const;

const options = (outdir: string, write: boolean): BuildOptions => ({
  entryPoints: { console: resolve(here, 'src/main.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  sourcemap: 'linked',
  outdir,
  write,
  legalComments: 'none',
  logLevel: 'silent',
});

export interface ConsoleFile {
  contentType: string;
  body: Buffer;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const typeOf = (name: string) => TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream';

/** The console's files in memory, by name (`console.js`, `index.html`, …), for the local gateway. */
export async function buildConsoleInMemory(): Promise<Map<string, ConsoleFile>> {
  const out = await build(options('/console-out', false));
  const files = new Map<string, ConsoleFile>();
  for (const f of out.outputFiles ?? []) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    files.set(name, { contentType: typeOf(name), body: Buffer.from(f.contents) });
  }
  for (const name of STATIC)
    files.set(name, { contentType: typeOf(name), body: readFileSync(resolve(here, name)) });
  return files;
}

/** Writes the console to a fresh directory (synchronously: CDK constructs are built synchronously) and returns it. */
export function buildConsoleToDirectory(dir = mkdtempSync(join(tmpdir(), 'org-console-'))): string {
  mkdirSync(dir, { recursive: true });
  buildSync(options(dir, true));
  for (const name of STATIC) copyFileSync(resolve(here, name), join(dir, name));
  return dir;
}
