/**
 * The one place browser tests get a browser (interim: the shared helper with the same API, which runs the Chromium of
 * `@sparticuz/chromium`, replaces this file when it lands in main):
 *
 *   const browser = await launchBrowser();   // playwright-core `Browser`, headless; `await browser.close()` in afterAll
 *
 * Which Chromium: `CHROMIUM_PATH` when set, else Debian's `/usr/bin/chromium`.
 */
import { existsSync } from 'node:fs';
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

export function chromiumExecutable(): Promise<string> {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    return Promise.reject(
      new Error(`Chromium not found at ${path}: set CHROMIUM_PATH or apt-get install chromium.`),
    );
  }
  return Promise.resolve(path);
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: FLAGS });
}
