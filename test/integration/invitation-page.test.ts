/**
 * The emailed link as an invitee meets it, in a real headless Chromium (playwright-core): open the link from the
 * mailbox, sign in on the local identity provider's page (authorization code + PKCE, run by the page), come back,
 * accept, be a member. Also: the wrong account (refused, then accepted after switching), an unverified address, and
 * the plain pages of links that can no longer be used.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser.ts';
import { seriousA11yViolations } from '../support/console.ts';
import { invite, orgWithAdmin } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  localOnly: "signs in on the local provider's page in a headless browser and reads the mailbox",
});
let browser: Browser;
// `UPDATE_SCREENSHOTS=1` refreshes the README's sign-in images in docs/; otherwise they go to .local/ (untracked).
const SHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? 'docs' : '.local/screenshots';

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A fresh browser profile (no session anywhere), watching for console errors (CSP refusals land there) and URLs. */
async function visitor(): Promise<{ context: BrowserContext; page: Page; errors: string[]; urls: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  const urls: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => urls.push(r.url()));
  return { context, page, errors, urls };
}

async function linkFromMail(who: string): Promise<string> {
  const text = (await api.mailTo(who)).at(-1)?.body.text ?? '';
  const link = /https?:\/\/\S+\/invitations\/\S+/.exec(text)?.[0];
  if (!link) throw new Error(`no invitation link mailed to ${who}`);
  return link;
}

/** The provider's sign-in page: type an address (and a name), say whether it is verified, continue. */
async function signInOnProvider(page: Page, email: string, opts: { name?: string; verified?: boolean } = {}) {
  await page.waitForURL((u) => u.origin === new URL(api.stack.issuer).origin);
  await page.getByRole('textbox', { name: 'Email address' }).fill(email);
  if (opts.name) await page.getByRole('textbox', { name: 'Name' }).fill(opts.name);
  await page.getByLabel('The email address is verified').setChecked(opts.verified ?? true);
  await page.getByRole('button', { name: 'Continue' }).click();
}

const memberEmails = async (org: { orgId: string; admin: string }) =>
  (await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin })).body.members.map(
    (m: { email: string }) => m.email,
  );

describe('the emailed link signs the person in', () => {
  it('opens the link, signs in on the provider as the invited address, comes back, accepts, and is a member', async () => {
    const org = await orgWithAdmin(api, 'browser', 'Browser Org');
    const who = api.email('clicker');
    await invite(api, org, [who], {
      role_assignments: { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] },
    });
    const link = await linkFromMail(who);
    const { context, page, errors, urls } = await visitor();
    await page.setViewportSize({ width: 900, height: 640 });
    mkdirSync(SHOTS, { recursive: true });

    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Join Browser Org');
    expect(await page.locator('#roles').textContent()).toContain('Billing admin');
    expect(await page.locator('#expires').textContent()).toMatch(/UTC$/);
    await expect.poll(() => page.getByRole('button', { name: 'Sign in to accept' }).isVisible()).toBe(true);
    await page.screenshot({ path: `${SHOTS}/sign-in-1-invitation.png` });

    await page.getByRole('button', { name: 'Sign in to accept' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/interaction/'));
    // The invited address is suggested (login_hint); the person still chooses who they are.
    expect(await page.getByRole('textbox', { name: 'Email address' }).inputValue()).toBe(who);
    await page.getByRole('textbox', { name: 'Name' }).fill('Casey Clicker');
    await page.screenshot({ path: `${SHOTS}/sign-in-2-provider.png` });
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.waitForURL(link);
    await expect
      .poll(() => page.locator('#who').textContent())
      .toContain(`Signed in as ${who} (Casey Clicker)`);
    expect(await page.locator('#wrong-account').isVisible()).toBe(false);
    await page.screenshot({ path: `${SHOTS}/sign-in-3-signed-in.png` });
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await expect
      .poll(() => page.locator('#result').textContent())
      .toContain('Welcome! You are now a member of Browser Org');
    await page.screenshot({ path: `${SHOTS}/sign-in-4-accepted.png` });

    expect(await memberEmails(org)).toContain(who);
    expect(errors, errors.join('\n')).toEqual([]);
    // Tokens never travel in a URL: only the one-time code comes back to /auth/callback, and leaves the address bar.
    expect(urls.filter((u) => /access_token|id_token|eyJ/.test(u))).toEqual([]);
    expect(urls.some((u) => u.startsWith(`${api.stack.apiUrl}/auth/callback?code=`))).toBe(true);
    expect(page.url()).toBe(link);

    await page.reload();
    expect(await page.locator('h1').textContent()).toBe('This invitation has already been used');
    await context.close();
  });

  it('signed in as another address: names the invited one, refuses, and accepts after switching account', async () => {
    const org = await orgWithAdmin(api, 'browser-wrong');
    const who = api.email('rightful');
    const someoneElse = api.email('someone-else');
    await invite(api, org, [who]);
    const link = await linkFromMail(who);
    const { context, page, errors } = await visitor();

    await page.goto(link);
    await page.getByRole('button', { name: 'Sign in to accept' }).click();
    await signInOnProvider(page, someoneElse);
    await page.waitForURL(link);
    const wrong = page.locator('#wrong-account');
    await expect.poll(() => wrong.isVisible()).toBe(true);
    expect(await wrong.textContent()).toContain(`This invitation was sent to ${who}`);
    expect(await page.locator('#who').textContent()).toContain(someoneElse);
    expect(await page.getByRole('button', { name: 'Accept invitation' }).isVisible()).toBe(false);
    expect(await memberEmails(org)).not.toContain(someoneElse);

    // The provider still has a session for someone-else: switching must ask again, not sign the same person back in.
    await page.getByRole('button', { name: 'Sign in with another account' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/interaction/'));
    expect(await page.getByRole('textbox', { name: 'Email address' }).inputValue()).toBe(who);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(link);
    await expect.poll(() => page.locator('#who').textContent()).toContain(`Signed in as ${who}`);
    expect(await wrong.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await expect.poll(() => page.locator('#result').textContent()).toContain('Welcome!');
    expect(await memberEmails(org)).toContain(who);
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });

  it('an unverified address is refused with the verify message, and the API refuses it too', async () => {
    const org = await orgWithAdmin(api, 'browser-unverified');
    const who = api.email('unverified');
    await invite(api, org, [who]);
    const link = await linkFromMail(who);
    const { context, page } = await visitor();

    await page.goto(link);
    await page.getByRole('button', { name: 'Sign in to accept' }).click();
    await signInOnProvider(page, who, { verified: false });
    await page.waitForURL(link);
    const unverified = page.locator('#unverified');
    await expect.poll(() => unverified.isVisible()).toBe(true);
    expect(await unverified.textContent()).toContain(`Verify your email address ${who}`);
    expect(await page.getByRole('button', { name: 'Accept invitation' }).isVisible()).toBe(false);

    // What the page holds is the provider's token with email_verified false: the API says no as well.
    const token = (await page.evaluate(
      "JSON.parse(sessionStorage.getItem('org-membership.auth.session') ?? '{}').accessToken",
    )) as string;
    const token_ = /\/invitations\/(\S+)$/.exec(link)![1];
    const res = await api.call('POST', `/api/v1/organizations/invitations/${token_}/_accept`, { token });
    expect(res.status).toBe(403);
    expect(res.body.errors[0].code).toBe('organization.invitation_email_not_verified');
    expect(await memberEmails(org)).not.toContain(who);
    await context.close();
  });

  it('keeps the plain pages of an unknown and a revoked link', async () => {
    const { context, page } = await visitor();
    const res = await page.goto(`${api.stack.apiUrl}/invitations/${'Z'.repeat(43)}`);
    expect(res?.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('We could not find this invitation');
    expect(await page.locator('#reason').textContent()).toContain(
      'ask an administrator to send you a new invitation',
    );
    expect(await page.locator('script').count()).toBe(0);

    const org = await orgWithAdmin(api, 'browser-revoked');
    const who = api.email('revoked');
    await invite(api, org, [who]);
    const link = await linkFromMail(who);
    const token = /\/invitations\/(\S+)$/.exec(link)![1];
    await api.call('DELETE', `/api/v1/organizations/${org.orgId}/invitations/${token}`, { as: org.admin });
    expect((await page.goto(link))?.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe('This invitation was withdrawn');
    await context.close();
  });
});

/** Axe's serious and critical findings at a desktop width and at a phone's 390 px, with a screenshot of each. */
async function checkPage(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [1024, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: `${SHOTS}/${name}-${width}.png`, fullPage: true });
    expect(await seriousA11yViolations(page), `accessibility of "${name}" at ${width} px`).toEqual([]);
  }
}

/** Opens the mailed link, signs in as `who` (verified) and waits until the page knows where they belong. */
async function openSignedIn(who: string, name?: string) {
  const link = await linkFromMail(who);
  const v = await visitor();
  await v.page.goto(link);
  await v.page.getByRole('button', { name: 'Sign in to accept' }).click();
  await signInOnProvider(v.page, who, name ? { name } : {});
  await v.page.waitForURL(link);
  await expect.poll(() => v.page.locator('#who').isVisible()).toBe(true);
  return { ...v, link };
}

describe('no dead ends after the link', () => {
  it('after accepting, the welcome links to the organization in the console; the used page links to the console', async () => {
    const org = await orgWithAdmin(api, 'onward', 'Globex');
    const who = api.email('onward');
    await invite(api, org, [who]);
    const { context, page, errors, link } = await openSignedIn(who, 'Olga Onward');
    expect(await page.locator('#roles-title').textContent()).toBe('Your roles');
    await expect.poll(() => page.getByRole('button', { name: 'Accept invitation' }).isEnabled()).toBe(true);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await expect
      .poll(() => page.locator('#result').textContent())
      .toBe('Welcome! You are now a member of Globex.');
    const onward = page.getByRole('link', { name: 'Open Globex in the console' });
    expect(await onward.getAttribute('href')).toBe('/console/#/members');
    expect(await page.getByRole('button', { name: 'Accept invitation' }).isVisible()).toBe(false);
    await checkPage(page, 'after-accept');

    // The console shares this tab's sign-in: the link lands on the organization.
    await onward.click();
    await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    expect(await page.locator('header .org-name').textContent()).toBe('Globex');

    expect(errors, errors.join('\n')).toEqual([]);

    await page.goto(link); // 410, as a used link answers
    expect(await page.locator('h1').textContent()).toBe('This invitation has already been used');
    expect(await page.getByRole('link', { name: 'open the console' }).getAttribute('href')).toBe('/console/');
    await checkPage(page, 'already-used');
    await context.close();
  });

  it('someone who belongs to another organization: says so, Accept disabled, a link to move instead', async () => {
    const current = await orgWithAdmin(api, 'current', 'Initech');
    const target = await orgWithAdmin(api, 'target', 'Globex');
    await invite(api, target, [current.admin]);
    const { context, page, errors } = await openSignedIn(current.admin);

    const elsewhere = page.locator('#elsewhere');
    await expect.poll(() => elsewhere.isVisible()).toBe(true);
    expect(await elsewhere.textContent()).toContain('You already belong to another organization, Initech.');
    expect(await elsewhere.textContent()).toContain('to join Globex, leave Initech first');
    expect(await page.getByRole('button', { name: 'Accept invitation' }).isDisabled()).toBe(true);
    expect(await page.getByRole('link', { name: 'Move to another organization' }).getAttribute('href')).toBe(
      '/console/#/move',
    );
    await checkPage(page, 'belongs-elsewhere');
    expect(errors, errors.join('\n')).toEqual([]);
    await context.close();
  });

  it("someone else's invitation offers roles, it does not call them theirs", async () => {
    const org = await orgWithAdmin(api, 'offered');
    const who = api.email('addressee');
    await invite(api, org, [who]);
    const link = await linkFromMail(who);
    const { context, page } = await visitor();
    await page.goto(link);
    expect(await page.locator('#roles-title').textContent()).toBe('Roles offered');
    await page.getByRole('button', { name: 'Sign in to accept' }).click();
    await signInOnProvider(page, api.email('bystander'));
    await page.waitForURL(link);
    await expect.poll(() => page.locator('#wrong-account').isVisible()).toBe(true);
    expect(await page.locator('#roles-title').textContent()).toBe('Roles offered');
    expect(await page.textContent('main')).not.toContain('Your roles');
    await checkPage(page, 'someone-elses');
    await context.close();
  });

  it("the local mailbox's HTML view opens the email's link in a new tab, where the page shows", async () => {
    const org = await orgWithAdmin(api, 'mailbox', 'Mailbox Org');
    const who = api.email('mailbox');
    await invite(api, org, [who]);
    const link = await linkFromMail(who);
    const { context, page } = await visitor();
    await page.goto(api.stack.sesEndpoint);
    const mail = page.locator('.email', { hasText: who }).first();
    await mail.getByRole('button', { name: 'Toggle HTML view' }).click();
    const frame = mail.frameLocator('iframe');
    const [opened] = await Promise.all([
      context.waitForEvent('page'),
      frame.getByRole('link', { name: 'Accept the invitation' }).click(),
    ]);
    await opened!.waitForLoadState();
    expect(opened!.url()).toBe(link);
    expect(await opened!.locator('h1').textContent()).toBe('Join Mailbox Org');
    await context.close();
  });
});
