import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { acceptInvitation } from '../../functions/invitations/accept.ts';
import { createInvitations } from '../../functions/invitations/invite.ts';
import { listInvitations } from '../../functions/invitations/manage.ts';
import { getInvitationByEmail } from '../../functions/invitations/store.ts';
import { dynamo } from '../../functions/shared/clients.ts';
import { type Callbacks, type Deps, defaultDeps, type Mailing } from '../../functions/shared/deps.ts';
import { withMailer } from '../../functions/shared/mailer.ts';
import { withWorkflow } from '../../functions/shared/workflow.ts';
import { localUserId } from '../../local/jwt.ts';
import { deploymentViewer, invite, orgWithAdmin, tokenFromMail } from '../support/factories.ts';
import { assertMatchesReference } from '../support/reference.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();
const scanAll = async () =>
  (await dynamo.send(new ScanCommand({ TableName: api.stack.tableName }))).Items ?? [];
const callerOf = (email: string) => ({ userId: localUserId(email), email, emailVerified: true });

describe('invitations, as a user lives them', () => {
  it('admin invites three addresses with roles; each gets mail with a link; the invitee opens it, accepts and appears as a member', async () => {
    const org = await orgWithAdmin(api, 'path', 'Path Org');
    const [a, b, c] = ['ann', 'ben', 'cat'].map((n) => api.email(n)) as [string, string, string];
    const roles = deploymentViewer(org.orgId);

    const created = await invite(api, org, [a, b.toUpperCase(), ` ${c} `], { role_assignments: roles });
    expect(created.status).toBe(201);
    assertMatchesReference('OrganizationInvitations', created.body);
    expect(created.body.invitations.map((i: { email: string }) => i.email).sort()).toEqual([a, b, c].sort());
    const hours =
      (Date.parse(created.body.invitations[0].expires_at) -
        Date.parse(created.body.invitations[0].created_at)) /
      3600_000;
    expect(hours).toBeCloseTo(72, 1);

    for (const address of [a, b, c]) {
      const mails = await api.mailTo(address);
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      expect(mail.subject).toContain('Path Org');
      expect(mail.body.text).toContain('Deployment viewer (all deployments)');
      expect(mail.body.text).toContain(org.admin);
      expect(mail.body.html).toContain(`${api.stack.apiUrl}/invitations/`);
    }

    const token = await tokenFromMail(api, a);
    expect(token.length).toBeGreaterThanOrEqual(22); // >= 128 bits, base64url
    const page = await api.call('GET', `/invitations/${token}`);
    expect(page.status).toBe(200);
    const html = page.text;
    expect(html).toContain('Path Org');
    expect(html).toContain('Accept invitation');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");

    const lookup = await api.call('GET', `/api/v1/organizations/invitations/${token}`);
    expect(lookup.status).toBe(200);
    assertMatchesReference('OrganizationInvitation', lookup.body);
    expect(lookup.body).toMatchObject({
      email: a,
      expired: false,
      organization: { id: org.orgId, name: 'Path Org' },
    });

    const accepted = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { as: a });
    expect(accepted.status).toBe(200);
    assertMatchesReference('EmptyResponse', accepted.body);

    const members = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: a });
    expect(members.status).toBe(200);
    assertMatchesReference('OrganizationMemberships', members.body);
    const ann = members.body.members.find((m: { email: string }) => m.email === a);
    expect(ann).toMatchObject({ organization_id: org.orgId, role_assignments: roles });
    expect(Date.parse(ann.member_since)).toBeGreaterThan(0);
    expect((await api.call('GET', '/api/v1/organizations', { as: a })).body.organizations).toEqual([
      { id: org.orgId, name: 'Path Org' },
    ]);

    const open = await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin });
    expect(open.body.invitations.map((i: { email: string }) => i.email).sort()).toEqual([b, c].sort());
  });

  it('accepts emails as one string separated by spaces, commas or new lines', async () => {
    const org = await orgWithAdmin(api, 'string');
    const [a, b, c] = ['s1', 's2', 's3'].map((n) => api.email(n));
    const res = await invite(api, org, `${a}, ${b}\n${c} ${a}`);
    expect(res.status).toBe(201);
    expect(res.body.invitations).toHaveLength(3);
  });
});

describe('after a rename', () => {
  it('the invitation page, its lookup and the admin list name the organization as it is now', async () => {
    const org = await orgWithAdmin(api, 'renamed', 'Old Name Co');
    const invitee = api.email('renamed-invitee');
    expect((await invite(api, org, [invitee])).status).toBe(201);
    const token = await api.invitationToken(invitee);
    const renamed = await api.call('PUT', `/api/v1/organizations/${org.orgId}`, {
      as: org.admin,
      body: { name: 'New Name Co' },
    });
    expect(renamed.status, renamed.text).toBe(200);
    const page = await api.call('GET', `/invitations/${token}`);
    expect(page.text).toContain('Join New Name Co');
    expect(page.text).not.toContain('Old Name Co');
    const lookup = await api.call('GET', `/api/v1/organizations/invitations/${token}`);
    expect(lookup.body.organization.name).toBe('New Name Co');
    const listed = await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin });
    expect(listed.body.invitations.map((i: any) => i.organization.name)).toEqual(['New Name Co']);
  });
});

describe('refresh, revoke, expiry', () => {
  it('re-inviting refreshes the pending invitation: same token, new expiry, new email, roles kept unless given', async () => {
    const org = await orgWithAdmin(api, 'refresh');
    const who = api.email('again');
    const first = await invite(api, org, [who], {
      role_assignments: deploymentViewer(org.orgId),
      expires_in: '1h',
    });
    // The first email has gone out; a refresh committed before that would replace it (see outbox.test.ts).
    expect(await api.mailTo(who)).toHaveLength(1);
    const second = await invite(api, org, [who], { expires_in: '3d' });
    expect(second.body.invitations[0].token).toBe(first.body.invitations[0].token);
    expect(Date.parse(second.body.invitations[0].expires_at)).toBeGreaterThan(
      Date.parse(first.body.invitations[0].expires_at),
    );
    expect(second.body.invitations[0].role_assignments).toEqual(deploymentViewer(org.orgId));
    expect(await api.mailTo(who)).toHaveLength(2);
    const list = await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin });
    expect(list.body.invitations).toHaveLength(1);

    const billing = { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] };
    const third = await invite(api, org, [who], { role_assignments: billing });
    expect(third.body.invitations[0].role_assignments).toEqual(billing);
  });

  it('revokes all or nothing; a revoked link shows what to do next and cannot be accepted', async () => {
    const org = await orgWithAdmin(api, 'revoke');
    const [a, b] = [api.email('r1'), api.email('r2')];
    const res = await invite(api, org, [a, b]);
    const [ta, tb] = res.body.invitations.map((i: { token: string }) => i.token);

    const bad = await api.call(
      'DELETE',
      `/api/v1/organizations/${org.orgId}/invitations/${ta},${'x'.repeat(43)}`,
      { as: org.admin },
    );
    expect(bad.status).toBe(404);
    expect(bad.body.errors[0].code).toBe('organization.invitation_not_found');
    expect(
      (await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin })).body
        .invitations,
    ).toHaveLength(2);

    const garbage = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/invitations/%20,%20`, {
      as: org.admin,
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body.errors[0].code).toBe('root.invalid_data');

    const ok = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/invitations/${ta},${tb}`, {
      as: org.admin,
    });
    expect(ok.status).toBe(200);
    expect(
      (await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin })).body
        .invitations,
    ).toHaveLength(0);

    const accept = await api.call('POST', `/api/v1/organizations/invitations/${ta}/_accept`, { as: a });
    expect(accept.status).toBe(404);
    const page = await api.call('GET', `/invitations/${ta}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain('ask an administrator to send you a new invitation');
  });

  it('enforces expiry on every read and write with an injected clock, whatever TTL has done', async () => {
    api.requires('local-runtime', 'calls the service in this process with an injected clock');
    const org = await orgWithAdmin(api, 'expiry');
    const who = api.email('late');
    const deps: Deps & Mailing & Callbacks = { ...withMailer(defaultDeps()), ...withWorkflow(defaultDeps()) };
    const admin = callerOf(org.admin);
    const [inv] = await createInvitations(deps, admin, org.orgId, {
      emails: [who],
      expiresInMs: 3600_000,
      roleAssignments: undefined,
    });
    const later: Deps & Mailing & Callbacks = { ...deps, now: () => new Date(Date.now() + 3600_000 + 1000) };

    const listed = await listInvitations(later, admin, org.orgId);
    expect(listed[0]).toMatchObject({ email: who, expired: true });
    await expect(acceptInvitation(later, callerOf(who), inv!.token)).rejects.toMatchObject({
      code: 'organization.invitation_expired',
    });
    const stored = await getInvitationByEmail(deps, org.orgId, who);
    expect(stored?.status).toBe('pending');
    const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
    const raw = await dynamo.send(
      new GetCommand({
        TableName: api.stack.tableName,
        Key: { pk: `ORG#${org.orgId}`, sk: `INVITATION#${who}` },
      }),
    );
    // TTL only cleans up, 30 days after expiry; expiry itself is enforced from expires_at.
    expect(raw.Item?.ttl).toBeGreaterThan(Date.parse(stored!.expires_at) / 1000 + 29 * 86400);

    // Re-inviting an expired address makes a new invitation with a new token.
    const [fresh] = await createInvitations(later, admin, org.orgId, {
      emails: [who],
      expiresInMs: 3600_000,
      roleAssignments: undefined,
    });
    expect(fresh!.token).not.toBe(inv!.token);
    await acceptInvitation(later, callerOf(who), fresh!.token);
  });

  it('shows an expired link as expired, through the API with a backdated invitation', async () => {
    const org = await orgWithAdmin(api, 'expiredpage');
    const who = api.email('expired');
    await invite(api, org, [who]);
    const token = await tokenFromMail(api, who);
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    await dynamo.send(
      new UpdateCommand({
        TableName: api.stack.tableName,
        Key: { pk: `ORG#${org.orgId}`, sk: `INVITATION#${who}` },
        UpdateExpression: 'SET expires_at = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const accept = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { as: who });
    expect(accept.status).toBe(400);
    expect(accept.body.errors[0].code).toBe('organization.invitation_expired');
    const page = await api.call('GET', `/invitations/${token}`);
    expect(page.status).toBe(410);
    expect(page.text).toContain('This invitation has expired');
    expect((await api.call('GET', `/api/v1/organizations/invitations/${token}`)).body.expired).toBe(true);
  });
});

describe('who may accept', () => {
  it('refuses another user (403), an unverified email (403), and a user in another organization (400 with what to do)', async () => {
    const org = await orgWithAdmin(api, 'who');
    const who = api.email('invitee');
    await invite(api, org, [who]);
    const token = await tokenFromMail(api, who);

    const other = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, {
      as: api.email('mallory'),
    });
    expect(other.status).toBe(403);
    expect(other.body.errors[0].code).toBe('root.invalid_authentication');

    const unverified = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, {
      token: await api.token(who, { emailVerified: false }),
    });
    expect(unverified.status).toBe(403);

    await api.call('POST', '/api/v1/organizations', { as: who, body: { name: 'Elsewhere' } });
    const busy = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, {
      as: who.toUpperCase(),
    });
    expect(busy.status).toBe(400);
    expect(busy.body.errors[0].code).toBe('organization.user_organization_already_belongs');
    expect(busy.body.errors[0].message).toMatch(/leave it first.*another email address/i);
    const members = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
    expect(members.body.members).toHaveLength(1);
  });

  it('a retried accept by the same user succeeds once; the used link shows "already used"', async () => {
    const org = await orgWithAdmin(api, 'twice');
    const who = api.email('twice');
    await invite(api, org, [who]);
    const token = await tokenFromMail(api, who);
    expect(
      (await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { as: who })).status,
    ).toBe(200);
    expect(
      (await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { as: who })).status,
    ).toBe(200);
    const members = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
    expect(members.body.members).toHaveLength(2);
    const page = await api.call('GET', `/invitations/${token}`);
    expect(page.text).toContain('already been used');
    const unknown = await api.call('GET', `/invitations/${'A'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('ask an administrator to send you a new invitation');
  });

  it.each([
    ['leaving', 'self'],
    ['being removed', 'admin'],
  ])('an accept retried after %s is refused: the invitation is used up, and the answer says what to do', async (_l, by) => {
    const org = await orgWithAdmin(api, `used-${by}`);
    const who = api.email(`used-${by}`);
    await invite(api, org, [who]);
    const token = await tokenFromMail(api, who);
    const accept = () => api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { as: who });
    expect((await accept()).status).toBe(200);
    const userId = await api.userId(who);
    const out = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${userId}`, {
      as: by === 'self' ? who : org.admin,
    });
    expect(out.status, out.text).toBe(200);

    const again = await accept();
    expect(again.status, again.text).toBe(400);
    expect(again.body.errors[0].code).toBe('organization.invitation_already_accepted');
    expect(again.body.errors[0].message).toMatch(
      /are no longer a member \(you left or were removed\); ask an administrator/,
    );
    expect((await api.call('GET', '/api/v1/users/me', { as: who })).body.organization).toBeNull();
    const page = await api.call('GET', `/invitations/${token}`);
    expect(page.text).toContain('If you have since left');
    expect(page.text).not.toContain('Welcome');
  });
});

describe('concurrency', () => {
  it('20 parallel invites of one address make one invitation', async () => {
    const org = await orgWithAdmin(api, 'burst');
    const who = api.email('burst');
    const results = await Promise.all(Array.from({ length: 20 }, () => invite(api, org, [who])));
    for (const r of results) expect([201, 503]).toContain(r.status);
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThan(0);
    const tokens = new Set(results.filter((r) => r.status === 201).map((r) => r.body.invitations[0].token));
    expect(tokens.size).toBe(1);
    const items = (await scanAll()).filter((i) => i.entity === 'Invitation' && i.email === who);
    expect(items).toHaveLength(1);
  });

  it('parallel accepts of invitations to two organizations by one user: exactly one wins', async () => {
    const [o1, o2] = [await orgWithAdmin(api, 'race1'), await orgWithAdmin(api, 'race2')];
    const who = api.email('racer');
    await invite(api, o1, [who]);
    const t1 = await tokenFromMail(api, who);
    await invite(api, o2, [who]);
    const t2 = await tokenFromMail(api, who);
    expect(t1).not.toBe(t2);
    const results = await Promise.all(
      [t1, t2, t1, t2].map((t) =>
        api.call('POST', `/api/v1/organizations/invitations/${t}/_accept`, { as: who }),
      ),
    );
    const wins = new Set(results.flatMap((r, i) => (r.status === 200 ? [i % 2] : [])));
    expect(wins.size).toBe(1);
    const memberships = (await scanAll()).filter((i) => i.entity === 'Membership' && i.email === who);
    expect(memberships).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expect([400, 409, 503]).toContain(r.status);
  });
});

describe('bad input changes nothing', () => {
  it.each([
    [
      'an invalid address, named in fields',
      { emails: ['ok@example.com', 'not-an-email'] },
      400,
      'organization.invitation_invalid_email',
      ['not-an-email'],
    ],
    [
      'a homoglyph address',
      { emails: ['аdmin@example.com'] },
      400,
      'organization.invitation_invalid_email',
      undefined,
    ],
    ['no addresses', { emails: [] }, 400, 'root.invalid_data', undefined],
    [
      'more than 100 addresses',
      { emails: Array.from({ length: 101 }, (_, i) => `u${i}@example.com`) },
      400,
      'root.invalid_data',
      undefined,
    ],
    [
      'expires_in under an hour',
      { emails: ['a@example.com'], expires_in: '30m' },
      400,
      'root.invalid_data',
      ['expires_in'],
    ],
    [
      'expires_in over 30 days',
      { emails: ['a@example.com'], expires_in: '31d' },
      400,
      'root.invalid_data',
      ['expires_in'],
    ],
    [
      'expires_in nonsense',
      { emails: ['a@example.com'], expires_in: 'soon' },
      400,
      'root.invalid_data',
      ['expires_in'],
    ],
    [
      'an unknown role',
      {
        emails: ['a@example.com'],
        role_assignments: { organization: [{ role_id: 'god', organization_id: 'ORG' }] },
      },
      400,
      'role_assignments.invalid_config',
      undefined,
    ],
    [
      'another organization id',
      {
        emails: ['a@example.com'],
        role_assignments: { organization: [{ role_id: 'billing-admin', organization_id: 'other' }] },
      },
      400,
      'role_assignments.invalid_config',
      undefined,
    ],
    [
      'all and ids together',
      {
        emails: ['a@example.com'],
        role_assignments: {
          deployment: [
            { role_id: 'deployment-viewer', organization_id: 'ORG', all: true, deployment_ids: ['d1'] },
          ],
        },
      },
      400,
      'role_assignments.invalid_config',
      undefined,
    ],
    [
      'neither all nor ids',
      {
        emails: ['a@example.com'],
        role_assignments: { deployment: [{ role_id: 'deployment-viewer', organization_id: 'ORG' }] },
      },
      400,
      'role_assignments.invalid_config',
      undefined,
    ],
    ['wrong types', { emails: 42 }, 400, 'root.invalid_data', ['emails']],
  ])('%s', async (_name, body, status, code, fields) => {
    const org = await orgWithAdmin(api, `bad${Math.random().toString(36).slice(2, 7)}`);
    const text = JSON.stringify(body).replaceAll('"ORG"', JSON.stringify(org.orgId));
    const before = (await scanAll()).length;
    const res = await api.call('POST', `/api/v1/organizations/${org.orgId}/invitations`, {
      as: org.admin,
      body: JSON.parse(text),
    });
    expect(res.status).toBe(status);
    assertMatchesReference('BasicFailedReply', res.body);
    expect(res.body.errors[0].code).toBe(code);
    if (fields) expect(res.body.errors[0].fields).toEqual(fields);
    expect((await scanAll()).length).toBe(before);
  });

  it('refuses non-admins (403) and existing members (400), changing nothing', async () => {
    const org = await orgWithAdmin(api, 'perm');
    const member = api.email('member');
    await invite(api, org, [member]);
    await api.call('POST', `/api/v1/organizations/invitations/${await tokenFromMail(api, member)}/_accept`, {
      as: member,
    });
    const before = (await scanAll()).length;

    const byMember = await invite(api, { orgId: org.orgId, admin: member }, [api.email('x')]);
    expect(byMember.status).toBe(403);
    const byStranger = await invite(api, { orgId: org.orgId, admin: api.email('stranger') }, [
      api.email('x'),
    ]);
    expect(byStranger.status).toBe(404);
    expect(byStranger.body.errors[0].code).toBe('organization.user_organization_does_not_belong');
    const again = await invite(api, org, [api.email('fresh'), member.toUpperCase()]);
    expect(again.status).toBe(400);
    expect(again.body.errors[0]).toMatchObject({
      code: 'organization.user_organization_already_belongs',
      fields: [member],
    });
    expect((await scanAll()).length).toBe(before);
    expect(
      (await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: member })).status,
    ).toBe(403);
  });

  it('answers the same to an address that belongs to another organization as to anyone (no enumeration)', async () => {
    const [o1, o2] = [await orgWithAdmin(api, 'enum1'), await orgWithAdmin(api, 'enum2')];
    const res = await invite(api, o1, [o2.admin, api.email('nobody')]);
    expect(res.status).toBe(201);
    expect(res.body.invitations).toHaveLength(2);
  });
});

describe('limits', () => {
  it('rate-limits invitations per organization with 429 and Retry-After, writing nothing', async () => {
    api.requires('local-runtime', 'calls the service in this process with a lower rate limit');
    const org = await orgWithAdmin(api, 'rate');
    const deps = withMailer({ ...defaultDeps(), inviteRateLimitPerHour: 3 });
    const admin = callerOf(org.admin);
    await createInvitations(deps, admin, org.orgId, {
      emails: [api.email('q1'), api.email('q2')],
      expiresInMs: 3600_000,
      roleAssignments: undefined,
    });
    const over = createInvitations(deps, admin, org.orgId, {
      emails: [api.email('q3'), api.email('q4')],
      expiresInMs: 3600_000,
      roleAssignments: undefined,
    });
    await expect(over).rejects.toMatchObject({
      code: 'organization.invitations_rate_limit_exceeded',
      status: 429,
    });
    expect(await getInvitationByEmail(deps, org.orgId, api.email('q3'))).toBeUndefined();
    await createInvitations(deps, admin, org.orgId, {
      emails: [api.email('q3')],
      expiresInMs: 3600_000,
      roleAssignments: undefined,
    });
  });
});

describe('members list', () => {
  it('pages with a next cursor, one page at a time, and rejects a forged cursor', async () => {
    const org = await orgWithAdmin(api, 'paging');
    const people = Array.from({ length: 4 }, (_, i) => api.email(`p${i}`));
    await invite(api, org, people);
    for (const p of people) {
      const r = await api.call(
        'POST',
        `/api/v1/organizations/invitations/${await tokenFromMail(api, p)}/_accept`,
        { as: p },
      );
      expect(r.status).toBe(200);
    }
    const seen: string[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const res = await api.call(
        'GET',
        `/api/v1/organizations/${org.orgId}/members?size=2${next ? `&next=${next}` : ''}`,
        { as: org.admin },
      );
      expect(res.status).toBe(200);
      expect(res.body.members.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.members.map((m: { email: string }) => m.email));
      next = res.body.next;
      pages++;
    } while (next);
    expect(new Set(seen)).toEqual(new Set([org.admin, ...people]));
    expect(pages).toBeGreaterThanOrEqual(3);

    const forged = Buffer.from(JSON.stringify({ pk: 'ORG#someone-else', sk: 'MEMBER#x' })).toString(
      'base64url',
    );
    const bad = await api.call('GET', `/api/v1/organizations/${org.orgId}/members?next=${forged}`, {
      as: org.admin,
    });
    expect(bad.status).toBe(400);
    // A cursor into this organization's partition but outside the members range: 400, not a DynamoDB error.
    const outOfRange = Buffer.from(JSON.stringify({ pk: `ORG#${org.orgId}`, sk: 'ORG' })).toString(
      'base64url',
    );
    const range = await api.call('GET', `/api/v1/organizations/${org.orgId}/members?next=${outOfRange}`, {
      as: org.admin,
    });
    expect([range.status, range.body.errors[0].code]).toEqual([400, 'root.invalid_data']);
    // Sort keys AWS refuses (over 1,024 bytes; not text), though DynamoDB Local takes them: 400 before any call.
    for (const sk of [`MEMBER#${'x'.repeat(1100)}`, 'MEMBER#\ud800']) {
      const cursor = Buffer.from(JSON.stringify({ pk: `ORG#${org.orgId}`, sk })).toString('base64url');
      const res = await api.call('GET', `/api/v1/organizations/${org.orgId}/members?next=${cursor}`, {
        as: org.admin,
      });
      expect([res.status, res.body.errors[0].code]).toEqual([400, 'root.invalid_data']);
    }
    const outsider = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, {
      as: api.email('outsider'),
    });
    expect(outsider.status).toBe(403);
  });
});
