/**
 * The console's organization settings in Chromium, as an owner and as a member meet them: renaming (the header follows),
 * copying the organization id, and what closing the organization needs, checked against what it holds, until the
 * owner can leave and close it. At desktop width and at 390 px, each screen checked with axe-core.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { checkScreen, signInToConsole } from '../support/console.ts';
import { addMember, createDeployment, orgWithAdmin } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  localOnly: "signs in on the local provider's page in a headless browser",
});
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

async function newPage(width: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 860 }, permissions: [] });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  return page;
}

const closing = (page: Page) => page.locator('section[aria-labelledby="settings-close"]');

describe('organization settings', () => {
  it.each([
    1280, 390,
  ])('at %i px: an owner renames, copies the id, and closes the organization once nothing stands in the way', async (width) => {
    const org = await orgWithAdmin(api, `settings-${width}`, 'Initech');
    const member = await addMember(api, org, `settings-member-${width}`);
    const deployment = await createDeployment(api, org.orgId, org.admin);
    const page = await newPage(width);
    await signInToConsole(page, api, org.admin, 'Olive Owner');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Organization settings' }).waitFor();
    if (width <= 390)
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // The id, as the API knows it.
    expect(await page.locator('#organization-id').textContent()).toBe(org.orgId);
    await page.getByRole('button', { name: 'Copy id' }).click();
    await expect
      .poll(() =>
        page
          .getByRole('status')
          .filter({ hasText: /Copied|Selected/ })
          .count(),
      )
      .toBe(1);

    // What closing needs: the member and the deployment are named, with where to deal with them; no close button.
    await expect.poll(() => closing(page).textContent()).toContain('Other people are members');
    const text = (await closing(page).textContent()) ?? '';
    expect(text).toContain('It holds 1 deployment or project');
    expect(text).toContain('No bills are pending.');
    expect(await closing(page).getByRole('button').count()).toBe(0);
    await checkScreen(page, `settings-owner-${width}`);

    // Rename: the API and the header say the new name.
    await page.getByRole('textbox', { name: 'Organization name' }).fill('Initrode');
    await page.getByRole('button', { name: 'Rename' }).click();
    await expect.poll(() => page.locator('header .org-name').textContent()).toBe('Initrode');
    expect((await api.call('GET', `/api/v1/organizations/${org.orgId}`, { as: org.admin })).body.name).toBe(
      'Initrode',
    );

    // With the member removed and the deployment deleted, the owner can leave and close it.
    expect(
      (
        await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${member.userId}`, {
          as: org.admin,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await api.call('DELETE', `/api/v1/organizations/${org.orgId}/deployments/${deployment}`, {
          as: org.admin,
        })
      ).status,
    ).toBeLessThan(300);
    await page.reload();
    await closing(page).getByRole('button', { name: 'Leave and close the organization' }).click();
    await page.locator('dialog[open]').getByRole('button', { name: 'Leave and close' }).click();
    await page.getByRole('heading', { level: 1, name: /^Welcome/ }).waitFor();
    const me = await api.call('GET', '/api/v1/users/me', { as: org.admin });
    expect(me.body.organization).toBeNull();
    expect((await api.call('GET', `/api/v1/organizations/${org.orgId}`, { as: member.email })).status).toBe(
      404,
    );
    await page.context().close();
  });

  it('a member sees the name and id but cannot rename, and is told who sees the bills', async () => {
    const org = await orgWithAdmin(api, 'settings-reader', 'Hooli');
    const member = await addMember(api, org, 'settings-reader');
    await createDeployment(api, org.orgId, org.admin);
    const page = await newPage(1280);
    await signInToConsole(page, api, member.email, 'Rita Reader');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByText('Only organization owners can rename it.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Organization name' }).count()).toBe(0);
    expect(await page.locator('#organization-id').textContent()).toBe(org.orgId);
    await expect.poll(() => closing(page).textContent()).toContain('an owner or billing admin can see them');
    // The member sees none of the organization's deployments: the checklist does not take that for none.
    expect(await closing(page).textContent()).toContain('an owner can see them all');
    expect(await closing(page).textContent()).not.toContain('It holds no deployments or projects');
    await checkScreen(page, 'settings-member');
    await page.context().close();
  });
});
