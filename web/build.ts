/**
 * The browser scripts, bundled by the project's esbuild: `web/<name>.ts` → `web/dist/<name>.js`. `npm start` and the
 * tests build them at start-up; the stack builds them into the asset handler's bundle (`infra/constructs/functions.ts`).
 * `tsx web/build.ts [outdir]` builds them by hand.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

import { WEB_DIST, WEB_ENTRIES } from './files.ts';

export const WEB_BUILD = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
} as const;

/** The same options for the esbuild CLI (CDK's command hooks run commands, not the JS API). */
export const webBuildCliArgs = (rootDir: string, outDir: string): string[] => [
  ...WEB_ENTRIES.map((e) => join(rootDir, 'web', `${e}.ts`)),
  '--bundle',
  `--format=${WEB_BUILD.format}`,
  `--platform=${WEB_BUILD.platform}`,
  `--target=${WEB_BUILD.target}`,
  '--minify',
  `--legal-comments=${WEB_BUILD.legalComments}`,
  `--outdir=${outDir}`,
];

/** Builds every entry; each file is written whole and renamed into place, so parallel test files never read half. */
export async function buildWeb(outDir = WEB_DIST): Promise<void> {
  const { build } = await import('esbuild');
  const root = resolve(import.meta.dirname, '..');
  const out = await build({
    ...WEB_BUILD,
    entryPoints: WEB_ENTRIES.map((e) => join(root, 'web', `${e}.ts`)),
    outdir: outDir,
    write: false,
    logLevel: 'silent',
  });
  mkdirSync(outDir, { recursive: true });
  for (const file of out.outputFiles) {
    const target = join(outDir, basename(file.path));
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, target);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  await buildWeb(process.argv[2] ?? WEB_DIST);
}
