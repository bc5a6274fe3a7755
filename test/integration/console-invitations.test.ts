/**
 * The console's invitation screens in Chromium, as a person sees them, at a desktop width and at 390 px, each checked
 * with axe-core: the welcome screen's invitations waiting for a person without an organization, and the Invite
 * members dialog's safety (roles reset after a send, a warning before replacing another invitation's roles, the valid
 * addresses invited when others are refused).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { checkScreen, signInToConsole, textOf } from '../support/console.ts';
import { deploymentViewer, invite, orgWithAdmin } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  localOnly: "signs in on the local provider's page in a headless browser",
});
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

const WIDTHS = [1280, 390] as const;

async function newPage(width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 860 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  return page;
}

const h1 = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

describe('the welcome screen', () => {
  it.each(
    WIDTHS,
  )('at %i px: shows the invitations waiting for me with what accepting means; Accept opens the organization', async (width) => {
    // Prepare: two organizations invite the same person, one by a named admin with roles.
    const globex = await orgWithAdmin(api, `welcome-globex-${width}`, 'Globex');
    const initech = await orgWithAdmin(api, `welcome-initech-${width}`, 'Initech');
    const who = api.email(`welcome-${width}`);
    const named = await api.call('POST', `/api/v1/organizations/${globex.orgId}/invitations`, {
      token: await api.token(globex.admin, { name: 'Gina Globex' }),
      body: { emails: [who], role_assignments: deploymentViewer(globex.orgId) },
    });
    expect(named.status).toBe(201);
    expect((await invite(api, initech, [who])).status).toBe(201);

    // Act
    const page = await newPage(width);
    await signInToConsole(page, api, who, 'Wendy Welcome');
    await h1(page, 'Welcome, Wendy Welcome');

    // Assess
    const section = page.getByRole('region', { name: 'Invitations for you' });
    await section.waitFor();
    expect(await section.textContent()).toContain('Accepting makes you a member of that organization');
    const fromGlobex = section.getByRole('article', { name: 'Globex' });
    expect(await fromGlobex.textContent()).toContain(`Gina Globex (${globex.admin})`);
    expect(await fromGlobex.textContent()).toContain('Deployment viewer (all deployments)');
    expect(await section.getByRole('article', { name: 'Initech' }).textContent()).toContain(initech.admin);
    await checkScreen(page, `welcome-invitations-${width}`);

    await fromGlobex.getByRole('button', { name: 'Accept and join Globex' }).click();
    await h1(page, 'Members');
    expect(await textOf(page, 'header .org-name')).toBe('Globex');
    const orgs = await api.call('GET', '/api/v1/organizations', { as: who });
    expect(orgs.body.organizations).toEqual([{ id: globex.orgId, name: 'Globex' }]);
  });

  it.each(
    WIDTHS,
  )('at %i px: joined another organization meanwhile: Accept says so, stays disabled, and leads to the move', async (width) => {
    const globex = await orgWithAdmin(api, `meanwhile-${width}`, 'Globex');
    const who = api.email(`meanwhile-${width}`);
    expect((await invite(api, globex, [who])).status).toBe(201);
    const page = await newPage(width);
    await signInToConsole(page, api, who, 'Max Meanwhile');
    const accept = page.getByRole('button', { name: 'Accept and join Globex' });
    await accept.waitFor();
    // In another tab, the same person creates their own organization.
    const created = await api.call('POST', '/api/v1/organizations', { as: who, body: { name: 'Own Org' } });
    expect(created.status).toBe(201);

    await accept.click();
    const article = page.getByRole('article', { name: 'Globex' });
    await expect.poll(() => article.getByRole('alert').textContent()).toMatch(/leave|another/i);
    expect(await accept.isDisabled()).toBe(true);
    await checkScreen(page, `welcome-belongs-elsewhere-${width}`);
    await article.getByRole('link', { name: 'Move to another organization' }).click();
    await h1(page, 'Move to another organization');
  });

  it('says so when nothing is waiting', async () => {
    const page = await newPage(1280);
    const who = api.email('nobody-invited');
    await signInToConsole(page, api, who, 'Nora Nobody');
    const section = page.getByRole('region', { name: 'Invitations for you' });
    await section.waitFor();
    expect(await section.textContent()).toContain(`No invitation is waiting for ${who}.`);
  });
});

describe('the Invite members dialog', () => {
  const billing = (orgId: string) => ({
    organization: [{ role_id: 'billing-admin', organization_id: orgId }],
  });
  const pendingRoles = async (org: { orgId: string; admin: string }, email: string) =>
    (
      await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin })
    ).body.invitations.find((i: { email: string }) => i.email === email)?.role_assignments;

  it.each(
    WIDTHS,
  )('at %i px: warns before replacing pending roles, invites the valid addresses when one is refused, then resets the roles', async (width) => {
    // Prepare: Pat already has a pending invitation as Billing admin.
    const org = await orgWithAdmin(api, `dialog-${width}`, 'Dialog Org');
    const pat = api.email(`pat-${width}`);
    const newbie = api.email(`newbie-${width}`);
    expect((await invite(api, org, [pat], { role_assignments: billing(org.orgId) })).status).toBe(201);
    const page = await newPage(width);
    await signInToConsole(page, api, org.admin, 'Ada Admin');
    await h1(page, 'Members');
    await page.getByRole('button', { name: 'Invite members' }).click();
    const dialog = page.locator('dialog[open]');

    // Act: Pat again with another role, a new address, and the admin (already a member).
    await dialog.getByLabel('Email addresses').fill(`${pat}, ${newbie}, ${org.admin}`);
    await dialog.locator('select[data-role="deployment-viewer"]').selectOption('all');
    await dialog.getByRole('button', { name: 'Send invitations' }).click();

    // Assess: nothing sent until confirmed; the warning names the address, its roles now and the new ones.
    const warning = dialog.locator('.replace-warning');
    await warning.waitFor();
    expect(await warning.textContent()).toContain(
      `${pat}: now Billing admin; would become Deployment viewer (all deployments).`,
    );
    await checkScreen(page, `invite-replace-warning-${width}`, { fullPage: false });
    expect(await pendingRoles(org, pat)).toEqual(billing(org.orgId));
    expect(await pendingRoles(org, newbie)).toBeUndefined();

    await dialog.getByRole('button', { name: 'Replace roles and send' }).click();
    await expect
      .poll(() => textOf(page, `li[data-address="${org.admin}"]`))
      .toContain('Already a member of this organization');
    expect(await textOf(page, `li[data-address="${pat}"]`)).toContain('Invited, expires');
    expect(await textOf(page, `li[data-address="${newbie}"]`)).toContain('Invited, expires');
    expect(await warning.isVisible()).toBe(false);
    // What was sent is done: only the refused address is left to fix, and the roles are empty again.
    expect(await dialog.getByLabel('Email addresses').inputValue()).toBe(org.admin);
    expect(await dialog.locator('select[data-role="deployment-viewer"]').inputValue()).toBe('none');
    await checkScreen(page, `invite-partial-${width}`, { fullPage: false });
    const viewer = deploymentViewer(org.orgId);
    expect(await pendingRoles(org, pat)).toEqual(viewer);
    expect(await pendingRoles(org, newbie)).toEqual(viewer);
  }, 90_000);
});
