/** Helpers for driving the web console in Chromium: sign-in, accessibility checks and screenshots. */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestApi } from './stack.ts';

/** Where each run leaves its screenshots (git-ignored); `docs/console/` holds the ones the README shows. */
export const SCREENSHOT_DIR = '.local/console-screens';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page (WCAG 2.x A and AA rules, best practices) and returns its serious and critical
 * violations. The source is evaluated through the DevTools protocol, so the page's CSP need not allow it.
 */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: unknown[] }> } }
    ).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Saves a screenshot of the screen and checks it with axe: every screen a person can reach goes through here. */
export async function checkScreen(
  page: Page,
  name: string,
  opts: { fullPage?: boolean } = {},
): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOT_DIR}/${name}.png`, fullPage: opts.fullPage ?? true });
  expect(await seriousA11yViolations(page), `accessibility of "${name}"`).toEqual([]);
}

/** Text of an element, once it has some (the console renders after its API calls answer). */
export async function textOf(page: Page, selector: string): Promise<string> {
  const el = page.locator(selector).first();
  await el.waitFor();
  return (await el.textContent()) ?? '';
}

/**
 * Signs `email` in to the console in this page. TEMPORARY until the sign-in provider lands: the token is put where
 * the console's auth module keeps it.
 */
export async function signInToConsole(page: Page, api: TestApi, email: string, name: string): Promise<void> {
  await page.goto(api.stack.consoleUrl);
  const token = await api.token(email, { name });
  await page.evaluate((t) => sessionStorage.setItem('org-console.access_token', t), token);
  await page.goto(api.stack.consoleUrl);
}
