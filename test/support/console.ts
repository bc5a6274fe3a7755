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
  // Expressions as strings: this file is type-checked without the DOM library.
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)",
  )) as AxeViolation[];
  return violations
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

/** The local provider's sign-in page: type the address and a name, say it is verified, continue. */
export async function signInOnProvider(page: Page, api: TestApi, email: string, name: string): Promise<void> {
  await page.waitForURL((u) => u.origin === new URL(api.stack.issuer).origin);
  await page.getByRole('textbox', { name: 'Email address' }).fill(email);
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page.getByLabel('The email address is verified').setChecked(true);
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** Opens the console, signs in through the provider (authorization code with PKCE) and comes back to it. */
export async function signInToConsole(page: Page, api: TestApi, email: string, name: string): Promise<void> {
  await page.goto(api.stack.consoleUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInOnProvider(page, api, email, name);
  await page.waitForURL((u) => u.pathname === '/console/' && !u.search);
}
