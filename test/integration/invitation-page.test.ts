/**
 * The emailed link as an invitee meets it: a real headless Chromium (the one `test/support/browser.ts` launches)
 * driven by playwright-core.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { invite, orgWithAdmin, tokenFromMail } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe('the invitation page in a browser', () => {
  it('shows the organization, roles and expiry, and accepting with the signed-in token makes the invitee a member', async () => {
    const org = await orgWithAdmin(api, 'browser', 'Browser Org');
    const who = api.email('clicker');
    await invite(api, org, [who], {
      role_assignments: { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] },
    });
    const link = (await api.mailTo(who)).at(-1)!.body.text!.match(/https?:\/\/\S+\/invitations\/\S+/)![0];

    const page = await browser.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') cspErrors.push(m.text());
    });
    await page.goto(`${link}#access_token=${await api.token(who)}`);
    expect(await page.locator('h1').textContent()).toBe('Join Browser Org');
    expect(await page.locator('#roles').textContent()).toContain('Billing admin');
    expect(await page.locator('#expires').textContent()).toMatch(/UTC$/);
    expect(page.url()).not.toContain('access_token'); // the token is taken out of the address bar
    mkdirSync('.local', { recursive: true });
    await page.screenshot({ path: '.local/invitation-page.png' });

    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await expect
      .poll(() => page.locator('#result').textContent())
      .toContain('Welcome! You are now a member of Browser Org');
    expect(cspErrors, cspErrors.join('\n')).toEqual([]);
    const members = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
    expect(members.body.members.map((m: { email: string }) => m.email)).toContain(who);

    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('This invitation has already been used');
    await page.close();
  });

  it('asks for a sign-in token when there is none, and shows the API error when the wrong person accepts', async () => {
    const org = await orgWithAdmin(api, 'browser2');
    const who = api.email('paster');
    await invite(api, org, [who]);
    const token = await tokenFromMail(api, who);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${api.stack.apiUrl}/invitations/${token}`);
    await expect.poll(() => page.locator('#signin').isVisible()).toBe(true);

    await page.locator('#token').fill(await api.token(api.email('someone-else')));
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await expect
      .poll(() => page.locator('#result').textContent())
      .toContain('sent to a different email address');

    await page.locator('#token').fill(await api.token(who));
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await expect.poll(() => page.locator('#result').textContent()).toContain('Welcome!');
    await context.close();
  });

  it('explains an unknown link', async () => {
    const page = await browser.newPage();
    const res = await page.goto(`${api.stack.apiUrl}/invitations/${'Z'.repeat(43)}`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('We could not find this invitation');
    expect(await page.locator('#reason').textContent()).toContain(
      'ask an administrator to send you a new invitation',
    );
    await page.close();
  });
});
