/**
 * Single sign-on in the console, in Chromium on the local stack: an owner claims a domain (the TXT record published
 * on the local DNS server as `npm run dns` would), connects the local SAML IdP and maps a group to a role, all
 * through the Single sign-on tab; a new person then signs in with "Sign in with SSO", picks themselves on the IdP's
 * page and lands as a member with the mapped role; a group change at the IdP changes the role at the next sign-in;
 * with SSO required a password token of theirs is refused. The tab at 390 px, axe-checked, and hidden from members.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { checkScreen, signInToConsole, useBrowser } from '../support/console.ts';
import { addMember, orgWithAdmin } from '../support/factories.ts';
import { ssoOrganization } from '../support/sso.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  localOnly: 'signs in through the local SAML IdP and the local DNS server in Chromium',
});
const browser = useBrowser();
const run = randomBytes(3).toString('hex');

const editorOnAll = (orgId: string) => ({
  deployment: [{ role_id: 'deployment-editor', organization_id: orgId, all: true }],
});

async function openSsoTab(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Single sign-on' }).click();
  await page.getByRole('heading', { level: 1, name: 'Single sign-on' }).waitFor();
}

/**
 * A fresh browser: "Sign in with SSO" with the address (or the IdP's `sso_login_url`, which opens the console with
 * `?sso=<login identifier>`), then the person picks themselves on the local IdP's page.
 */
async function signInWithSso(email: string, ssoLoginUrl?: string): Promise<Page> {
  const page = await browser.page(1280);
  if (ssoLoginUrl) await page.goto(ssoLoginUrl);
  else {
    await page.goto(api.stack.consoleUrl);
    await page.getByRole('textbox', { name: 'Work email address' }).fill(email);
    await page.getByRole('button', { name: 'Sign in with SSO' }).click();
  }
  await page.waitForURL((u) => u.origin === new URL(api.stack.samlIdp.ssoUrl).origin);
  await page.getByRole('button', { name: `Sign in as ${email}` }).click();
  await page.waitForURL((u) => u.pathname === '/console/' && !u.search, { timeout: 20_000 });
  await page.locator('header .who-email').waitFor();
  return page;
}

const memberRow = (page: Page, email: string) => page.locator(`tr[data-email="${email}"]`);

describe('single sign-on in the console', () => {
  it('an owner sets up SSO in the tab; a new person signs in with SSO and gets the mapped role, then the new one', async () => {
    const org = await orgWithAdmin(api, 'console-sso', 'Acme');
    const domain = `acme-${run}.test`;
    const owner = await browser.page(1280);
    await signInToConsole(owner, api, org.admin, 'Olive Owner');
    await openSsoTab(owner);

    // Claimed domains: the record to publish, "not visible yet" before it is, verified after.
    await owner.getByRole('textbox', { name: 'Domain' }).fill(domain);
    await owner.getByRole('button', { name: 'Add domain' }).click();
    const name = (await owner.locator('#txt-name').textContent()) ?? '';
    const value = (await owner.locator('#txt-value').textContent()) ?? '';
    expect(name).toBe(`_elastic-cloud-verification.${domain}`);
    expect(value).toMatch(/^org-verification=/);
    await owner.getByRole('button', { name: 'Verify' }).click();
    await owner.getByRole('status').filter({ hasText: 'Not visible yet' }).waitFor();
    expect(await owner.getByRole('alert').filter({ hasText: /\S/ }).count()).toBe(0);
    api.stack.dns.setTxt(name, [value]);
    await owner.getByRole('button', { name: 'Verify' }).click();
    await owner.locator(`li[data-domain="${domain}"]`).waitFor();

    // The identity provider: the local SAML IdP, SSO required.
    const idp = api.stack.samlIdp;
    await owner.getByRole('textbox', { name: 'IdP issuer (entity id)' }).fill(idp.issuer);
    await owner.getByRole('textbox', { name: 'IdP single sign-on URL' }).fill(idp.ssoUrl);
    await owner.getByRole('textbox', { name: 'IdP signing certificate (PEM)' }).fill(idp.certificatePem);
    await owner.getByRole('textbox', { name: 'Login identifier prefix' }).fill('acme');
    await owner.getByLabel('Require SSO for members in these domains').setChecked(true);
    await owner.getByRole('button', { name: 'Connect' }).click();
    await owner.locator('#sp-entity-id').waitFor();
    const saved = (await api.call('GET', `/api/v1/organizations/${org.orgId}/idp`, { as: org.admin })).body;
    expect(saved.configuration).toMatchObject({ enabled: true, sso_required: true });
    expect(await owner.locator('#sp-entity-id').textContent()).toBe(saved.sp_entity_id);
    expect(await owner.locator('#sp-acs').textContent()).toBe(saved.acs);
    expect(await owner.getByRole('link', { name: 'Test sign-in' }).getAttribute('href')).toBe(
      saved.sso_login_url,
    );
    await owner.getByRole('button', { name: 'Get metadata.xml' }).click();
    expect(await owner.locator('.metadata pre').textContent()).toContain(saved.acs);

    // A mapping: group engineers → Deployment editor on all deployments.
    await owner.getByRole('button', { name: 'Add mapping' }).click();
    const dialog = owner.locator('dialog[open]');
    await dialog.getByRole('textbox', { name: 'Name' }).fill('engineers');
    await dialog.getByRole('textbox', { name: 'Pattern' }).fill('engineers');
    await dialog.locator('select[data-role="deployment-editor"]').selectOption('all');
    await dialog.getByRole('button', { name: 'Save mapping' }).click();
    const mapping = owner.locator('tr[data-mapping="engineers"]');
    await mapping.waitFor();
    expect(await mapping.textContent()).toContain('Deployment editor (all deployments)');
    await checkScreen(owner, 'sso-tab-1280');

    // A new person at the domain signs in with SSO and lands in the organization with exactly that role.
    const dev = `dev@${domain}`;
    idp.users.set({ email: dev, groups: ['engineers'], name: 'Dev One' });
    const devPage = await signInWithSso(dev);
    await devPage.locator('header .org-name').filter({ hasText: 'Acme' }).waitFor();
    expect(await devPage.getByText('You have no roles yet').count()).toBe(0);
    expect(await devPage.getByRole('link', { name: 'Single sign-on' }).count()).toBe(0);

    await owner.getByRole('link', { name: 'Members' }).click();
    await memberRow(owner, dev).waitFor();
    expect(await memberRow(owner, dev).locator('td.roles').textContent()).toBe(
      'Deployment editor (all deployments)',
    );
    expect(await memberRow(owner, dev).locator('td.joined').textContent()).toBe('SSO');
    expect(await memberRow(owner, org.admin).locator('td.joined').textContent()).toBe('Created it');
    const members = async () =>
      (await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin })).body
        .members as { email: string; user_id: string; role_assignments: unknown }[];
    const me = (await members()).find((m) => m.email === dev)!;
    expect(me.role_assignments).toEqual(editorOnAll(org.orgId));

    // No mapped group any more: the next sign-in (from the IdP's login URL, the tab's "Test sign-in") takes the role
    // away, and the console says what to do.
    idp.users.set({ email: dev, groups: [] });
    const again = await signInWithSso(dev, saved.sso_login_url);
    await again.getByText('You have no roles yet: ask an organization admin.').waitFor();
    expect((await members()).find((m) => m.email === dev)!.role_assignments).toEqual({});

    // SSO required: the same person with a password sign-in (no SSO) is refused.
    const password = await api.token(dev, { sub: me.user_id });
    const refused = await api.call('GET', `/api/v1/organizations/${org.orgId}`, { token: password });
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.errors[0].code).toBe('org.idp.sso_required');
    expect(await api.violations()).toEqual([]);
  });

  it('at 390 px the tab fits and is axe-clean; members do not see it', async () => {
    const org = await orgWithAdmin(api, 'console-sso-narrow', 'Narrow');
    await ssoOrganization(api, org, `narrow-${run}.test`);
    const mapped = await api.call('POST', `/api/v1/organizations/${org.orgId}/role_mappings`, {
      as: org.admin,
      body: {
        mappings: [
          {
            name: 'platform',
            enabled: true,
            rule: { all: [{ group: 'engineers' }, { email: '*@narrow.example' }] },
            role_assignments: editorOnAll(org.orgId),
          },
        ],
      },
    });
    expect(mapped.status, mapped.text).toBe(201);
    const page = await browser.page(390);
    await signInToConsole(page, api, org.admin, 'Nora Narrow');
    await openSsoTab(page);
    await page.locator('tr[data-mapping="platform"]').waitFor();
    expect(await page.locator('tr[data-mapping="platform"]').textContent()).toContain(
      'all of: group engineers, email *@narrow.example',
    );
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await checkScreen(page, 'sso-tab-390');

    const member = await addMember(api, org, 'console-sso-member');
    const memberPage = await browser.page(1280);
    await signInToConsole(memberPage, api, member.email, 'Mo Member');
    await memberPage.getByRole('heading', { level: 1 }).first().waitFor();
    expect(await memberPage.getByRole('link', { name: 'Single sign-on' }).count()).toBe(0);
    await memberPage.goto(`${api.stack.consoleUrl}#/sso`);
    await memberPage.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
  });
});
