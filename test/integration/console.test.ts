/**
 * The web console in Chromium, against the local stack (the gateway serves it at /console/): an owner signs in,
 * creates an organization, invites two people with different roles, both accept from the emailed links, the owner
 * edits a role, a member leaves, the last admin's leave is refused, a large organization pages and searches, and a sole
 * member with deployments moves them to another organization and watches the migration succeed. Every screen is
 * checked with axe-core and saved as a screenshot.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  checkScreen,
  chooseMoveInvitation,
  seriousA11yViolations,
  signInOnProvider,
  signInToConsole,
  textOf,
  useBrowser,
} from '../support/console.ts';
import { createDeployment, invite, orgWithAdmin, tokenFromMail } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  localOnly: "signs in on the local provider's page in a headless browser and reads the mailbox",
});
const browser = useBrowser();
const newPage = (width?: number, height?: number) => browser.page(width, height);

const h1 = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
const dialog = (page: Page) => page.locator('dialog[open]');
const row = (page: Page, email: string) => page.locator(`tr[data-email="${email}"]`);

async function rowAction(page: Page, email: string, action: string): Promise<void> {
  await row(page, email)
    .getByRole('button', { name: /^Actions for/ })
    .click();
  await page.getByRole('button', { name: action, exact: true }).click();
}

async function members(orgId: string, as: string) {
  const res = await api.call('GET', `/api/v1/organizations/${orgId}/members`, { as });
  return res.body.members as { email: string; user_id: string; role_assignments: any }[];
}

/** Opens the emailed invitation link and accepts it, as the invitee would. */
async function acceptFromEmail(email: string, name: string): Promise<void> {
  const link = (await api.mailTo(email)).at(-1)!.body.text!.match(/https?:\/\/\S+\/invitations\/\S+/)![0];
  const page = await newPage();
  await page.goto(link);
  await page.getByRole('button', { name: 'Sign in to accept' }).click();
  await signInOnProvider(page, api, email, name);
  await page.waitForURL(link);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect.poll(() => page.locator('#result').textContent()).toContain('Welcome!');
  await page.close();
}

describe('the organization console', () => {
  it('the accessibility check finds what it is meant to find', async () => {
    const page = await newPage();
    await page.setContent(
      '<html lang="en"><title>t</title><main><button></button><input type="text"></main></html>',
    );
    const found = await seriousA11yViolations(page);
    expect(found.some((v) => v.includes('button-name'))).toBe(true);
    expect(found.some((v) => v.includes('label'))).toBe(true);
  });

  it('an owner creates an organization, invites two people, edits a role; a member leaves; the last admin cannot', async () => {
    const owner = api.email('olivia');
    const alex = api.email('alex');
    const blake = api.email('blake');

    const signInPage = await newPage();
    await signInPage.goto(api.stack.consoleUrl);
    await h1(signInPage, 'Organization console');
    await checkScreen(signInPage, '01-sign-in');

    // Signed in without an organization: create one.
    const page = await newPage();
    await signInToConsole(page, api, owner, 'Olivia Owner');
    await h1(page, 'Welcome, Olivia Owner');
    await checkScreen(page, '02-welcome');
    await page.getByLabel('Organization name').fill('Northwind');
    await page.getByRole('button', { name: 'Create organization' }).click();
    await h1(page, 'Members');
    expect(await textOf(page, 'header .org-name')).toBe('Northwind');
    const orgId = (await api.call('GET', '/api/v1/organizations', { as: owner })).body.organizations[0]
      .id as string;

    // Two deployments, so roles can be scoped to a chosen one.
    await page.getByRole('link', { name: 'Deployments and projects' }).click();
    await h1(page, 'Deployments and projects');
    for (const name of ['search-prod', 'logs-staging']) {
      await page.getByLabel('Name').fill(name);
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('cell', { name, exact: true }).waitFor();
    }
    await checkScreen(page, '03-deployments');
    const deployments = (await api.call('GET', `/api/v1/organizations/${orgId}/deployments`, { as: owner }))
      .body.deployments as { id: string; name: string }[];
    const searchProd = deployments.find((d) => d.name === 'search-prod')!;

    // Invite: a typo is marked in the page, an existing member by the service, each next to its address.
    await page.getByRole('link', { name: 'Members' }).click();
    await h1(page, 'Members');
    await page.getByRole('button', { name: 'Invite members' }).click();
    const invite1 = dialog(page);
    await invite1.getByLabel('Email addresses').fill(`${alex}, not-an-address`);
    await invite1.getByRole('button', { name: 'Send invitations' }).click();
    expect(await textOf(page, 'li[data-address="not-an-address"]')).toContain('Not a valid email address');
    await invite1.getByLabel('Email addresses').fill(`${alex}\n${owner}`);
    await invite1.locator('select[data-role="deployment-viewer"]').selectOption('all');
    await invite1.getByRole('button', { name: 'Send invitations' }).click();
    // The member is refused by name; the other address is invited all the same.
    await expect
      .poll(() => textOf(page, `li[data-address="${owner}"]`))
      .toContain('Already a member of this organization');
    expect(await textOf(page, `li[data-address="${alex}"]`)).toContain('Invited, expires');
    await checkScreen(page, '04-invite-refused', { fullPage: false });
    // The second person with another role, from the same dialog: the roles start empty again.
    expect(await invite1.locator('select[data-role="deployment-viewer"]').inputValue()).toBe('none');
    await invite1.locator('input[data-role="billing-admin"]').check();
    await invite1.getByLabel('Invitation expires after').selectOption('7d');
    await invite1.getByLabel('Email addresses').fill(blake);
    await invite1.getByRole('button', { name: 'Send invitations' }).click();
    await expect.poll(() => textOf(page, `li[data-address="${blake}"]`)).toContain('Invited, expires');
    await checkScreen(page, '05-invite-sent', { fullPage: false });
    await invite1.getByRole('button', { name: 'Close', exact: true }).first().click();

    // Open invitations: pending, roles in words, email delivery (queued until the outbox has sent it).
    expect(await textOf(page, `tr[data-email="${alex}"]`)).toMatch(
      /Deployment viewer \(all deployments\).*Pending.*(Queued|Sent)/,
    );
    await api.outboxIdle();
    await page.reload();
    await page.waitForSelector(`tr[data-email="${blake}"]`);
    expect(await textOf(page, `tr[data-email="${blake}"]`)).toMatch(/Billing admin.*Pending.*Sent/);
    await checkScreen(page, '06-members-invitations');

    // Both accept from the emailed links.
    await acceptFromEmail(alex, 'Alex Viewer');
    await acceptFromEmail(blake, 'Blake Billing');
    await page.reload();
    await h1(page, 'Members');
    await expect.poll(() => row(page, blake).textContent()).toContain('Billing admin');
    expect(await row(page, alex).textContent()).toContain('Deployment viewer (all deployments)');
    expect(await page.getByRole('heading', { name: 'Open invitations' }).isVisible()).toBe(true);
    expect(await page.locator('#invitations-title + p.empty').textContent()).toBe('No open invitations.');

    // Edit role: Blake also edits one chosen deployment.
    await rowAction(page, blake, 'Edit role');
    const edit = dialog(page);
    await edit.locator('select[data-role="deployment-editor"]').selectOption('ids');
    await edit.getByRole('checkbox', { name: 'search-prod' }).check();
    await checkScreen(page, '07-edit-role', { fullPage: false });
    await edit.getByRole('button', { name: 'Save roles' }).click();
    await expect.poll(() => dialog(page).count()).toBe(0);
    await expect
      .poll(() => row(page, blake).textContent())
      .toContain('Billing admin, Deployment editor (deployment search-prod)');
    const blakeRoles = (await members(orgId, owner)).find((m) => m.email === blake)!.role_assignments;
    expect(blakeRoles.organization).toEqual([{ role_id: 'billing-admin', organization_id: orgId }]);
    expect(blakeRoles.deployment).toEqual([
      { role_id: 'deployment-editor', organization_id: orgId, deployment_ids: [searchProd.id] },
    ]);
    await checkScreen(page, '08-members');

    // Blake sees only the deployment their roles cover, and cannot create one.
    const blakePage = await newPage();
    await signInToConsole(blakePage, api, blake, 'Blake Billing');
    await h1(blakePage, 'Members');
    await row(blakePage, owner).waitFor();
    // Not an admin: no invitations, and actions only on their own row (Leave organization).
    expect(await blakePage.locator('tr[data-email] .menu-button').count()).toBe(1);
    expect(await row(blakePage, blake).locator('.menu-button').count()).toBe(1);
    expect(await blakePage.getByRole('heading', { name: 'Open invitations' }).count()).toBe(0);
    await blakePage.getByRole('link', { name: 'Deployments and projects' }).click();
    await h1(blakePage, 'Deployments and projects');
    await blakePage.getByRole('cell', { name: 'search-prod', exact: true }).waitFor();
    expect(await blakePage.getByRole('cell', { name: 'logs-staging', exact: true }).count()).toBe(0);
    expect(await textOf(blakePage, 'main')).toContain(
      'Your roles do not let you create deployments or projects.',
    );

    // Alex leaves from their own row.
    const alexPage = await newPage(390, 844);
    await signInToConsole(alexPage, api, alex, 'Alex Viewer');
    await h1(alexPage, 'Members');
    await checkScreen(alexPage, '09-members-narrow');
    await rowAction(alexPage, alex, 'Leave organization');
    await dialog(alexPage).getByRole('button', { name: 'Leave organization' }).click();
    await h1(alexPage, 'Welcome, Alex Viewer');
    expect((await members(orgId, owner)).map((m) => m.email).sort()).toEqual([blake, owner].sort());

    // The last admin's leave is refused with the service's message, and nothing changes.
    await page.reload();
    await h1(page, 'Members');
    await rowAction(page, owner, 'Leave organization');
    await dialog(page).getByRole('button', { name: 'Leave organization' }).click();
    await expect
      .poll(() => dialog(page).getByRole('alert').textContent())
      .toBe(
        'An organization must keep at least one organization owner (organization-admin). Give another member that role first.',
      );
    await checkScreen(page, '10-leave-refused', { fullPage: false });
    await dialog(page).getByRole('button', { name: 'Cancel' }).click();
    expect((await members(orgId, owner)).length).toBe(2);
  }, 90_000);

  it('lists a large organization as the service orders it: owners first, the total, sortable columns, a search, a remembered page size (desktop and 390px)', async () => {
    const org = await orgWithAdmin(api, 'big', 'Big Co');
    const [web, logs] = [
      await createDeployment(api, org.orgId, org.admin, 'web'),
      await createDeployment(api, org.orgId, org.admin, 'logs'),
    ];
    const people = Array.from({ length: 11 }, (_, i) => api.email(`person-${String(i).padStart(2, '0')}`));
    expect((await invite(api, org, people)).status).toBe(201);
    // Named "Ada 00"…"Ada 10": every one before the owner (no name: "big-admin…") by name.
    await Promise.all(
      people.map(async (p, i) => {
        const token = await tokenFromMail(api, p);
        const res = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, {
          token: await api.token(p, { name: `Ada ${String(i).padStart(2, '0')}` }),
        });
        expect(res.status).toBe(200);
      }),
    );
    const editor = {
      deployment: [{ role_id: 'deployment-editor', organization_id: org.orgId, deployment_ids: [web, logs] }],
    };
    const ada00 = await api.userId(people[0]!);
    expect(
      (await api.call('POST', `/api/v1/users/${ada00}/role_assignments`, { as: org.admin, body: editor }))
        .status,
    ).toBe(200);

    const names = (page: Page) =>
      page.locator('#members-title ~ table tbody tr td:first-child').allTextContents();
    for (const width of [1280, 390]) {
      const page = await newPage(width);
      await signInToConsole(page, api, org.admin, 'Big Admin');
      await h1(page, 'Members');
      await page.getByLabel('Rows per page').selectOption('10');
      // The owner first although "big-admin…" sorts after every "Ada"; the total of all 12, the rows shown.
      await expect
        .poll(() => names(page))
        .toEqual(['— (you)', ...people.slice(0, 9).map((_, i) => `Ada 0${i}`)]);
      expect(await textOf(page, '.count')).toBe('12 members, 1–10 shown.');
      // Roles name the deployments they are on.
      expect(await row(page, people[0]!).textContent()).toContain(
        'Deployment editor (deployments logs, web)',
      );
      await page.getByRole('button', { name: 'Next page' }).click();
      await expect.poll(() => names(page)).toEqual(['Ada 09', 'Ada 10']);
      expect(await textOf(page, '.count')).toBe('12 members, 11–12 shown.');
      await checkScreen(page, `11a-members-page-2-${width}`);

      // Sortable columns (on a narrow screen, where the table becomes cards, the Sort by list): Name A to Z, then Z
      // to A; Email.
      const sortBy = async (column: 'Name' | 'Email', value: string) => {
        if (width < 640) await page.getByLabel('Sort by').selectOption(value);
        else await page.getByRole('button', { name: column, exact: true }).click();
      };
      await sortBy('Name', 'name-asc');
      await expect.poll(() => names(page)).toEqual(people.slice(0, 10).map((_, i) => `Ada 0${i}`));
      expect(await page.locator('th[aria-sort]').textContent()).toContain('Name');
      expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('ascending');
      await sortBy('Name', 'name-desc');
      await expect.poll(async () => (await names(page))[0]).toBe('— (you)');
      expect(await page.locator('th[aria-sort]').getAttribute('aria-sort')).toBe('descending');
      expect(await page.getByLabel('Sort by').inputValue()).toBe('name-desc');
      expect((await names(page))[1]).toBe('Ada 10');
      await sortBy('Email', 'email-asc');
      await expect.poll(async () => (await names(page))[0]).toBe('— (you)'); // big-admin… before person-…
      await checkScreen(page, `11b-members-sorted-${width}`);

      // The search runs on the service, by the start of the sorted column (an address here, then a name), any case.
      await page.getByLabel('Search members').fill(people[3]!.slice(0, 9).toUpperCase());
      await expect.poll(() => names(page)).toEqual(['Ada 03']);
      expect(await textOf(page, '.count')).toBe('1 member matches “PERSON-03”.');
      await sortBy('Name', 'name-asc');
      await page.getByLabel('Search members').fill('ada 0');
      await expect.poll(() => names(page)).toEqual(people.slice(0, 10).map((_, i) => `Ada 0${i}`));
      expect(await textOf(page, '.count')).toBe('10 members match “ada 0”.');
      await page.getByLabel('Search members').fill('zzz');
      await expect.poll(() => textOf(page, '#members-title ~ p.empty')).toBe('No members match “zzz”.');
      expect(await textOf(page, '#invitations-title + p.empty')).toBe('No invitations match “zzz”.');
      expect(await textOf(page, '.count')).toBe('0 members match “zzz”.');
      await checkScreen(page, `11c-members-no-match-${width}`);

      // The rows-per-page choice outlives a reload.
      await page.reload();
      await h1(page, 'Members');
      await expect.poll(() => page.getByLabel('Rows per page').inputValue()).toBe('10');
      await expect.poll(() => page.locator('#members-title ~ table tbody tr').count()).toBe(10);
      await page.close();
    }
  }, 120_000);

  it('an email still queued turns to Sent on the Members tab by itself', async () => {
    const org = await orgWithAdmin(api, 'queued', 'Queued Co');
    const page = await newPage();
    await signInToConsole(page, api, org.admin, 'Queue Admin');
    await h1(page, 'Members');
    const who = api.email('queued-invitee');
    api.stack.outbox.pause();
    try {
      expect((await invite(api, org, [who])).status).toBe(201);
      await page.reload();
      await expect.poll(() => textOf(page, `tr[data-email="${who}"]`)).toContain('Queued');
    } finally {
      api.stack.outbox.resume();
    }
    // No reload: the list is read again while an email is queued.
    await expect.poll(() => row(page, who).textContent(), { timeout: 20_000 }).toContain('Sent');
  }, 60_000);

  it('a sole member with deployments moves them to another organization and watches the migration succeed', async () => {
    const source = await orgWithAdmin(api, 'mover', 'Old Co');
    await createDeployment(api, source.orgId, source.admin, 'orders-db');
    const target = await orgWithAdmin(api, 'target', 'New Co');
    expect((await invite(api, target, [source.admin])).status).toBe(201);
    const link = (await api.mailTo(source.admin))
      .at(-1)!
      .body.text!.match(/https?:\/\/\S+\/invitations\/\S+/)![0];

    const page = await newPage();
    await signInToConsole(page, api, source.admin, 'Morgan Mover');
    await h1(page, 'Members');
    await chooseMoveInvitation(page, link);
    await page.getByText('Moving to New Co.').waitFor();
    await checkScreen(page, '12-move');
    await page.getByRole('button', { name: 'Start the move' }).click();

    // Live steps, up to the wait for the re-sent invitation.
    await h1(page, 'Moving to another organization');
    await expect
      .poll(() => textOf(page, '#current-step'), { timeout: 30_000 })
      .toBe('Wait for invitation acceptance');
    for (const step of [
      'Validate migration',
      'Verify backups',
      'Delete source deployments',
      'Leave source organization',
    ])
      expect(await textOf(page, `tr[data-step="${step}"]`)).toContain('Succeeded');
    await checkScreen(page, '13-migration-waiting');

    // Accept the re-sent invitation in the console: the one chosen when starting, without pasting its link again.
    await page.locator('.next-action').getByRole('button', { name: 'Accept and join New Co' }).click();
    await expect.poll(() => textOf(page, '#migration-status'), { timeout: 30_000 }).toBe('Succeeded');
    expect(await textOf(page, 'tr[data-step="Wait for invitation acceptance"]')).toContain('Succeeded');
    // The console reloads the header and tabs when the move ends: wait for the redrawn screen as a person would.
    await expect
      .poll(() => textOf(page, '.next-action'), { timeout: 10_000 })
      .toContain('You are now a member of New Co.');
    await checkScreen(page, '14-migration-succeeded');

    await page.getByRole('button', { name: 'Open your organization' }).click();
    await h1(page, 'Members');
    expect(await textOf(page, 'header .org-name')).toBe('New Co');
    const moved = await api.call('GET', `/api/v1/organizations/${target.orgId}/deployments`, {
      as: target.admin,
    });
    expect(moved.body.deployments.map((d: { name: string }) => d.name)).toEqual(['orders-db']);
  }, 90_000);
});
