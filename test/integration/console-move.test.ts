/**
 * The move screen and the console on a 390 px phone, in Chromium, as a person sees them (issue #23): each step shown
 * once, the header following the move, the waited-for invitation accepted without pasting it again, a cancel that asks
 * first and then says "Cancelled", moved deployments labelled "Restored"; dialogs, tabs and the header that fit a
 * narrow screen, and a skip link that is the first Tab stop. Every screen is checked with axe-core at both widths.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  checkScreen,
  chooseMoveInvitation,
  signInToConsole,
  textOf,
  useBrowser,
} from '../support/console.ts';
import { addMember, createDeployment, invite, orgWithAdmin } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  localOnly: "signs in on the local provider's page in a headless browser and reads the mailbox",
});
const browser = useBrowser();
const WIDTHS = { desktop: [1280, 860], narrow: [390, 844] } as const;
type Width = keyof typeof WIDTHS;
const newPage = (width: Width) => browser.page(...WIDTHS[width]);

const h1 = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
const dialog = (page: Page) => page.locator('dialog[open]');

/** Nothing sticks out sideways: the page does not scroll horizontally, and an open dialog sits inside the screen. */
async function fitsTheScreen(page: Page): Promise<void> {
  const width = page.viewportSize()!.width;
  // On failure, the elements whose content reaches past the screen's edge (the culprit is the innermost).
  const past = await page.evaluate(`[...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().left + e.scrollWidth > ${width} + 0.5)
    .map((e) => e.tagName + '.' + e.className).slice(-3)`);
  expect(
    await page.evaluate('document.documentElement.scrollWidth'),
    JSON.stringify(past),
  ).toBeLessThanOrEqual(width);
  if ((await dialog(page).count()) === 0) return;
  const box = (await dialog(page).boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(width);
  // Every control inside the dialog ends inside it.
  const overflowing = await page.evaluate(`(() => {
    const d = document.querySelector('dialog[open]').getBoundingClientRect();
    return [...document.querySelectorAll('dialog[open] select, dialog[open] input, dialog[open] textarea')]
      .filter((e) => e.getBoundingClientRect().right > d.right + 0.5)
      .map((e) => e.outerHTML.slice(0, 80));
  })()`);
  expect(overflowing).toEqual([]);
}

/** A sole member with a deployment, invited to New Co, on the move screen with the invitation chosen. */
async function startMove(width: Width, label: string) {
  const source = await orgWithAdmin(api, `${label}-src`, 'Old Co');
  await createDeployment(api, source.orgId, source.admin, 'orders-db');
  const target = await orgWithAdmin(api, `${label}-tgt`, 'New Co');
  expect((await invite(api, target, [source.admin])).status).toBe(201);
  const link = (await api.mailTo(source.admin))
    .at(-1)!
    .body.text!.match(/https?:\/\/\S+\/invitations\/\S+/)![0];
  const page = await newPage(width);
  await signInToConsole(page, api, source.admin, 'Morgan Mover');
  await h1(page, 'Members');
  await chooseMoveInvitation(page, link);
  await page.getByRole('button', { name: 'Start the move' }).click();
  await h1(page, 'Moving to another organization');
  await expect
    .poll(() => textOf(page, '#current-step'), { timeout: 30_000 })
    .toBe('Wait for invitation acceptance');
  // Once it has left, the console reads who the user is again and draws the page anew: wait for that, then for the steps.
  await expect.poll(() => page.locator('header .org-name').count(), { timeout: 10_000 }).toBe(0);
  await expect.poll(() => textOf(page, '#current-step')).toBe('Wait for invitation acceptance');
  return { page, source, target };
}

describe('the move screen', () => {
  it.each([
    'desktop',
    'narrow',
  ] as const)('%s: each step once, the header without the old organization, the invitation accepted without pasting it, moved deployments Restored', async (width) => {
    const { page, source } = await startMove(width, `ok-${width}`);
    // Left Old Co: the header says so (no organization, no organization tabs).
    expect(await page.locator('header .org-name').count()).toBe(0);
    expect(await page.locator('nav.tabs').count()).toBe(0);
    expect(await page.locator('tr[data-step="Wait for invitation acceptance"]').count()).toBe(1);
    const stepNames = await page
      .locator('tr[data-step]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step')));
    expect(new Set(stepNames).size).toBe(stepNames.length);
    expect(await textOf(page, 'tr[data-step="Wait for invitation acceptance"]')).toContain('Waiting');
    // The console knows the invitation it was started with: no link to paste.
    const next = page.locator('.next-action');
    expect(await next.getByLabel('Invitation link').count()).toBe(0);
    await fitsTheScreen(page);
    await checkScreen(page, `move-waiting-${width}`);
    // On another device (a tab that did not start the move) it finds the invitation among the user's own.
    const elsewhere = await newPage(width);
    await signInToConsole(elsewhere, api, source.admin, 'Morgan Mover');
    await h1(elsewhere, 'Welcome, Morgan Mover'); // signed in (no organization since leaving)
    await elsewhere.goto(page.url());
    await expect.poll(() => textOf(elsewhere, '#current-step')).toBe('Wait for invitation acceptance');
    expect(await elsewhere.getByRole('button', { name: 'Accept and join New Co' }).count()).toBe(1);
    expect(await elsewhere.locator('.next-action').getByLabel('Invitation link').count()).toBe(0);
    expect(await textOf(elsewhere, '.migration-summary')).toContain('New Co');
    await elsewhere.close();

    await next.getByRole('button', { name: 'Accept and join New Co' }).click();
    await expect.poll(() => textOf(page, '#migration-status'), { timeout: 30_000 }).toBe('Succeeded');
    await expect.poll(() => textOf(page, 'header .org-name'), { timeout: 10_000 }).toBe('New Co');
    await page.getByRole('link', { name: 'Deployments and projects' }).click();
    await h1(page, 'Deployments and projects');
    const row = page.getByRole('row', { name: /orders-db/ });
    await expect.poll(() => row.textContent()).toMatch(/Restored [A-Z0-9]/);
    expect(await row.textContent()).not.toContain('Created');
    await fitsTheScreen(page);
    await checkScreen(page, `move-restored-${width}`);
  }, 90_000);

  it.each([
    'desktop',
    'narrow',
  ] as const)('%s: cancel asks first (Escape keeps moving), then the move shows Cancelled, not a current step', async (width) => {
    const { page } = await startMove(width, `cancel-${width}`);
    const cancel = page.getByRole('button', { name: 'Cancel the move' });
    await cancel.click();
    const ask = page.getByRole('dialog', { name: 'Cancel the move?' });
    await ask.waitFor();
    expect(await ask.textContent()).toContain('You have already left your organization');
    await fitsTheScreen(page);
    await checkScreen(page, `move-cancel-confirm-${width}`, { fullPage: false });
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog(page).count()).toBe(0);
    expect(await textOf(page, '#migration-status')).toBe('Running');
    // By keyboard: focus is back on the button; open, then confirm.
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Cancel the move');
    await page.keyboard.press('Enter');
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Cancel the move' }).press('Enter');

    await expect.poll(() => textOf(page, '#migration-status'), { timeout: 30_000 }).toBe('Cancelled');
    expect(await page.locator('#current-step').count()).toBe(0);
    expect(await textOf(page, 'main')).not.toContain('Current step');
    expect(await textOf(page, 'tr[data-step="Wait for invitation acceptance"]')).toContain('Cancelled');
    expect(await textOf(page, '.next-action h2')).toBe('You cancelled the move');
    await fitsTheScreen(page);
    await checkScreen(page, `move-cancelled-${width}`);
    // The list of one's migrations says so too (on the welcome screen: no organization since leaving).
    await page.goto(`${api.stack.consoleUrl}#/`);
    await h1(page, 'Welcome, Morgan Mover');
    expect(await textOf(page, '#my-migrations + ul')).toContain('Cancelled');

    // Later: accept the invitation it knows (no link to paste) and restore what it kept.
    await page.locator('#my-migrations + ul a').first().click();
    await expect.poll(() => textOf(page, '#migration-status')).toBe('Cancelled');
    expect(await textOf(page, '.next-action')).toContain('Or open a new invitation');
    expect(await textOf(page, 'tr[data-step="Notify user"]')).toContain('Skipped');
    await page.getByRole('button', { name: 'Accept and join New Co' }).click();
    await page.getByRole('button', { name: 'Restore into the new organization' }).click();
    await expect.poll(() => textOf(page, '#migration-status'), { timeout: 30_000 }).toBe('Succeeded');
    await expect.poll(() => textOf(page, 'header .org-name'), { timeout: 10_000 }).toBe('New Co');
  }, 90_000);
});

describe('on a 390 px screen and on a desktop', () => {
  it.each([
    'desktop',
    'narrow',
  ] as const)('%s: the Invite and Edit role dialogs fit, every tab is in sight and reachable, the header keeps Sign out whole', async (width) => {
    const org = await orgWithAdmin(api, `fit-${width}-averyverylongaddress`, 'Northwind Traders Intl');
    const member = await addMember(api, org, `fit-${width}-member`);
    const page = await newPage(width);
    await signInToConsole(page, api, org.admin, 'Avery Administrator');
    await h1(page, 'Members');

    // Header: the address gives way (ellipsis), Sign out stays on one line.
    const signOut = page.getByRole('button', { name: 'Sign out' });
    const lineHeight = (await page.evaluate(
      "parseFloat(getComputedStyle(document.querySelector('.who .link-button')).lineHeight)",
    )) as number;
    expect((await signOut.boundingBox())!.height).toBeLessThan(lineHeight * 2);
    const address = page.locator('.who-email');
    expect(await address.getAttribute('title')).toBe(org.admin);
    if (width === 'narrow') expect(await address.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);

    // Tabs: every one in sight (the third used to hide off the edge), and Tab reaches the third.
    const tabs = page.locator('nav.tabs a');
    expect(await tabs.count()).toBeGreaterThanOrEqual(3);
    for (const tab of await tabs.all()) {
      const box = (await tab.boundingBox())!;
      const name = (await tab.textContent()) ?? '';
      expect(box.x, name).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width, name).toBeLessThanOrEqual(page.viewportSize()!.width);
    }
    await page.getByRole('link', { name: 'Deployments and projects' }).focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Move to another organization');
    await fitsTheScreen(page);
    await checkScreen(page, `fit-members-${width}`);

    await page.getByRole('button', { name: 'Invite members' }).click();
    await dialog(page).waitFor();
    await fitsTheScreen(page);
    await checkScreen(page, `fit-invite-${width}`, { fullPage: false });
    await page.keyboard.press('Escape');

    await page
      .locator(`tr[data-email="${member.email}"]`)
      .getByRole('button', { name: /^Actions for/ })
      .click();
    await page.getByRole('button', { name: 'Edit role', exact: true }).click();
    await dialog(page).waitFor();
    await dialog(page).locator('select[data-role="deployment-editor"]').selectOption('all');
    await fitsTheScreen(page);
    await checkScreen(page, `fit-edit-role-${width}`, { fullPage: false });
  }, 60_000);

  it.each([
    'desktop',
    'narrow',
  ] as const)('%s: on a fresh load the skip link is the first Tab stop, visible, and takes focus to the content', async (width) => {
    const org = await orgWithAdmin(api, `skip-${width}`, 'Skip Co');
    const page = await newPage(width);
    await signInToConsole(page, api, org.admin, 'Sam Skipper');
    await h1(page, 'Members'); // signed in: the code exchange is over before the page reloads
    for (const [screen, title] of [
      ['members', 'Members'],
      ['resources', 'Deployments and projects'],
      ['move', 'Move to another organization'],
    ] as const) {
      await page.goto(`${api.stack.consoleUrl}#/${screen}`);
      await page.reload(); // a fresh load of that screen, not a navigation inside the console
      await h1(page, title);
      await page.keyboard.press('Tab');
      const skip = page.getByRole('link', { name: 'Skip to content' });
      expect(
        await page.evaluate("document.activeElement.classList.contains('skip-link')"),
        `${screen}: ${await page.evaluate('document.activeElement.outerHTML.slice(0, 100)')}`,
      ).toBe(true);
      const at = (await skip.boundingBox())!;
      expect(at.x).toBeGreaterThanOrEqual(0);
      await page.keyboard.press('Enter');
      expect(await page.evaluate('document.activeElement.id')).toBe('main');
    }
  }, 60_000);
});
