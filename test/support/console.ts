/** Helpers for driving the web console in Chromium: sign-in, accessibility checks and screenshots. */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchBrowser } from './browser.ts';
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
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await signInOnProvider(page, api, email, name);
  await page.waitForURL((u) => u.pathname === '/console/' && !u.search);
}

/**
 * One headless Chromium for the test file (launched before, closed after it), and `page(width, height)`: a new page
 * in its own context (its own session storage) at that viewport, page errors printed.
 */
export function useBrowser(): { page(width?: number, height?: number): Promise<Page> } {
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
  });
  return {
    async page(width = 1280, height = 860) {
      const context = await browser.newContext({ viewport: { width, height } });
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
      return page;
    },
  };
}

/** From any organization screen: the move screen, the pasted invitation opened and chosen (not started yet). */
export async function chooseMoveInvitation(page: Page, link: string): Promise<void> {
  await page.getByRole('link', { name: 'Move to another organization' }).click();
  await page.getByRole('heading', { level: 1, name: 'Move to another organization' }).waitFor();
  await page.getByLabel('Invitation link').first().fill(link);
  await page.getByRole('button', { name: 'Open invitation' }).click();
  await page.getByRole('button', { name: 'Move to this organization' }).click();
}
