/**
 * SCIM 2.0 provisioning over HTTP, as Okta's SCIM 2.0 test plan and Microsoft Entra ID's SCIM tutorial send it: create,
 * get by filter, replace, deactivate through PATCH (Entra's "False" string, Okta's value object), re-activate, group
 * push with members added and removed (also by a filtered path), delete; after each step the membership is checked
 * through the regular API. Tokens (rotated: the old one is refused; another organization's: refused), addresses outside
 * the claimed domains, the person who belongs elsewhere, the last admin and a sole member's deployments (refused with
 * SCIM errors, nothing written), and a retried create that changes nothing twice.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimDomain } from '../support/domains.ts';
import { createDeployment, invite, orgWithAdmin } from '../support/factories.ts';
import { finished, waitFor, waitingForAcceptance } from '../support/migration.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({ localOnly: 'claims domains on the local DNS server' });
const run = randomBytes(3).toString('hex');

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** An organization whose admin's address is in the domain it claims, with a SCIM token. */
async function acme(label: string) {
  const domain = `${label}-${run}.test`;
  const admin = `boss@${domain}`;
  const res = await api.call('POST', '/api/v1/organizations', { as: admin, body: { name: `Acme ${label}` } });
  expect(res.status, res.text).toBe(201);
  const org = { orgId: res.body.id as string, admin, domain };
  await claimDomain(api, org, domain);
  const token = await api.call('POST', `/api/v1/organizations/${org.orgId}/scim/token`, { as: admin });
  expect(token.status, token.text).toBe(201);
  return { ...org, token: token.body.token as string, base: `/scim/v2/${org.orgId}` };
}

type Acme = Awaited<ReturnType<typeof acme>>;

const scim = (org: Acme, method: string, path: string, body?: unknown, token = org.token) =>
  api.call(method, `${org.base}${path}`, { token, ...(body === undefined ? {} : { body }) });

const members = async (org: Acme) => {
  const res = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
  expect(res.status, res.text).toBe(200);
  return res.body.members as {
    user_id: string;
    email: string;
    role_assignments: any;
    joined_through: string;
  }[];
};

/** Okta's create (its test plan's body shape). */
const oktaUser = (email: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER],
  userName: email,
  name: { givenName: 'Alice', familyName: 'Smith' },
  emails: [{ primary: true, value: email, type: 'work' }],
  displayName: 'Alice Smith',
  locale: 'en-US',
  externalId: `00u${randomBytes(6).toString('hex')}`,
  groups: [],
  password: 'never-stored-1A!',
  active: true,
  ...extra,
});

/** Entra ID's create (its tutorial's body shape). */
const entraUser = (email: string) => ({
  schemas: [USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: randomBytes(8).toString('hex'),
  userName: email,
  active: true,
  emails: [{ primary: true, type: 'work', value: email }],
  meta: { resourceType: 'User' },
  name: { formatted: 'Ryan Leenay', familyName: 'Leenay', givenName: 'Ryan' },
  roles: [],
});

const expectScimError = (
  res: { status: number; body: any; headers: Headers },
  status: number,
  type?: string,
) => {
  expect(res.headers.get('content-type')).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas).toEqual([ERROR]);
  expect(res.body.status).toBe(String(status));
  if (type) expect(res.body.scimType).toBe(type);
  expect(typeof res.body.detail).toBe('string');
};

describe('SCIM tokens', () => {
  it('is created once, shown once, rotated (the old one stops at once) and deleted; admins only', async () => {
    const org = await acme('tokens');
    const status = await api.call('GET', `/api/v1/organizations/${org.orgId}/scim/token`, { as: org.admin });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ exists: true, base_url: expect.stringContaining(org.base) });
    expect(status.body.token).toBeUndefined();
    expect((await scim(org, 'GET', '/Users')).status).toBe(200);

    const rotated = await api.call('POST', `/api/v1/organizations/${org.orgId}/scim/token`, {
      as: org.admin,
    });
    expect(rotated.status).toBe(201);
    const old = await scim(org, 'GET', '/Users');
    expect(old.status).toBe(401);
    expectScimError(old, 401);
    expect((await scim(org, 'GET', '/Users', undefined, rotated.body.token)).status).toBe(200);

    // Another organization's token, and a token for this organization's id with a wrong secret.
    const other = await acme('other');
    expect((await scim(org, 'GET', '/Users', undefined, other.token)).status).toBe(401);
    expect((await scim(org, 'GET', '/Users', undefined, `scim_${org.orgId}_nope`)).status).toBe(401);
    expect((await api.call('GET', `${org.base}/Users`)).status).toBe(401);

    const stranger = await api.call('POST', `/api/v1/organizations/${org.orgId}/scim/token`, {
      as: api.email('stranger'),
    });
    expect(stranger.status).toBe(403);

    expect(
      (await api.call('DELETE', `/api/v1/organizations/${org.orgId}/scim/token`, { as: org.admin })).status,
    ).toBe(200);
    expect((await scim(org, 'GET', '/Users', undefined, rotated.body.token)).status).toBe(401);
    const gone = await api.call('GET', `/api/v1/organizations/${org.orgId}/scim/token`, { as: org.admin });
    expect(gone.body.exists).toBe(false);
  });

  it('serves the discovery documents', async () => {
    const org = await acme('discovery');
    const config = await scim(org, 'GET', '/ServiceProviderConfig');
    expect(config.status).toBe(200);
    expect(config.body.patch.supported).toBe(true);
    expect(config.body.filter.supported).toBe(true);
    const types = await scim(org, 'GET', '/ResourceTypes');
    expect(types.body.Resources.map((r: any) => r.id)).toEqual(['User', 'Group']);
    const schemas = await scim(org, 'GET', '/Schemas');
    expect(schemas.body.Resources.map((r: any) => r.id)).toEqual([USER, GROUP]);
    expect((await scim(org, 'GET', `/Schemas/${encodeURIComponent(USER)}`)).body.id).toBe(USER);
  });
});

describe('Okta and Entra ID request sequences', () => {
  it('create, filter, replace, deactivate ("False"), re-activate, PATCH with filtered paths, delete', async () => {
    const org = await acme('users');
    const alice = `alice@${org.domain}`;
    const created = await scim(org, 'POST', '/Users', oktaUser(alice));
    expect(created.status, created.text).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(created.body).toMatchObject({ userName: alice, active: true, emails: [{ value: alice }] });
    const id = created.body.id as string;
    expect(created.body.password).toBeUndefined();
    let m = (await members(org)).find((x) => x.email === alice);
    expect(m?.joined_through).toBe('scim');

    // The IdP retries the same create: nothing twice.
    const again = await scim(org, 'POST', '/Users', oktaUser(alice));
    expect(again.status).toBe(409);
    expectScimError(again, 409, 'uniqueness');
    expect((await members(org)).filter((x) => x.email === alice)).toHaveLength(1);

    // Okta: GET by userName (and one that does not exist); Entra: externalId and emails.
    const byName = await scim(
      org,
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${alice}"`)}&startIndex=1&count=100`,
    );
    expect(byName.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(byName.body.Resources[0].id).toBe(id);
    const upper = await scim(
      org,
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${alice.toUpperCase()}"`)}`,
    );
    expect(upper.body.totalResults).toBe(1);
    const nobody = await scim(
      org,
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "nobody-${run}@${org.domain}"`)}`,
    );
    expect(nobody.body).toMatchObject({ totalResults: 0, Resources: [] });
    const byExternal = await scim(
      org,
      'GET',
      `/Users?filter=${encodeURIComponent(`externalId eq "${created.body.externalId}"`)}`,
    );
    expect(byExternal.body.totalResults).toBe(1);
    const byEmail = await scim(
      org,
      'GET',
      `/Users?filter=${encodeURIComponent(`emails.value eq "${alice}"`)}`,
    );
    expect(byEmail.body.totalResults).toBe(1);
    const bad = await scim(org, 'GET', `/Users?filter=${encodeURIComponent('userName eq')}`);
    expectScimError(bad, 400, 'invalidFilter');
    const page = await scim(org, 'GET', '/Users?startIndex=2&count=1');
    expect(page.body).toMatchObject({ totalResults: 1, startIndex: 2, itemsPerPage: 0, Resources: [] });

    expect((await scim(org, 'GET', `/Users/${id}`)).body.id).toBe(id);
    expectScimError(await scim(org, 'GET', '/Users/0000'), 404);

    // Okta: PUT the whole user with a new name.
    const replaced = await scim(org, 'PUT', `/Users/${id}`, {
      ...oktaUser(alice),
      name: { givenName: 'Alicia', familyName: 'Smith' },
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body.name.givenName).toBe('Alicia');

    // Entra: deactivate with the string "False".
    const off = await scim(org, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.status, off.text).toBe(200);
    expect(off.body.active).toBe(false);
    expect((await members(org)).some((x) => x.email === alice)).toBe(false);

    // Okta: re-activate with a value object and no path.
    const on = await scim(org, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(on.status, on.text).toBe(200);
    m = (await members(org)).find((x) => x.email === alice);
    expect(m?.joined_through).toBe('scim');

    // Entra: attribute updates, one through a path with a filter.
    const entra = await scim(org, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'Replace', path: 'emails[type eq "work"].value', value: alice },
        { op: 'Replace', path: 'name.familyName', value: 'Jones' },
        { op: 'Add', path: 'displayName', value: 'Alicia Jones' },
      ],
    });
    expect(entra.status, entra.text).toBe(200);
    expect(entra.body).toMatchObject({ displayName: 'Alicia Jones', name: { familyName: 'Jones' } });
    const rename = await scim(org, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'userName', value: `alicia@${org.domain}` }],
    });
    expectScimError(rename, 400, 'mutability');

    // Entra's create shape too, then delete: the member is gone at once, and so is the user.
    const ryan = `ryan@${org.domain}`;
    const r = await scim(org, 'POST', '/Users', entraUser(ryan));
    expect(r.status, r.text).toBe(201);
    expect((await members(org)).some((x) => x.email === ryan)).toBe(true);
    expect((await scim(org, 'DELETE', `/Users/${r.body.id}`)).status).toBe(204);
    expect((await members(org)).some((x) => x.email === ryan)).toBe(false);
    expect((await scim(org, 'GET', `/Users/${r.body.id}`)).status).toBe(404);
    expect(await api.violations()).toEqual([]);
  });

  it('group push: create with members, add and remove (Entra and Okta shapes); the role mappings follow', async () => {
    const org = await acme('groups');
    const mapped = await api.call('POST', `/api/v1/organizations/${org.orgId}/role_mappings`, {
      as: org.admin,
      body: {
        mappings: [
          {
            name: 'engineers',
            enabled: true,
            rule: { any: [{ group: 'Engineers' }] },
            role_assignments: {
              deployment: [{ role_id: 'deployment-editor', organization_id: org.orgId, all: true }],
            },
          },
        ],
      },
    });
    expect(mapped.status, mapped.text).toBe(201);
    const dana = `dana@${org.domain}`;
    const u = await scim(org, 'POST', '/Users', oktaUser(dana));
    expect(u.status, u.text).toBe(201);
    const roles = async () => (await members(org)).find((x) => x.email === dana)?.role_assignments;
    expect((await roles())?.deployment ?? []).toEqual([]);

    const g = await scim(org, 'POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Engineers',
      members: [{ value: u.body.id }],
    });
    expect(g.status, g.text).toBe(201);
    expect(g.body.members.map((x: any) => x.value)).toEqual([u.body.id]);
    expect((await roles())?.deployment?.[0]?.role_id).toBe('deployment-editor');
    const byName = await scim(
      org,
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "Engineers"')}&excludedAttributes=members`,
    );
    expect(byName.body.totalResults).toBe(1);
    expect(byName.body.Resources[0].members).toBeUndefined();

    // Entra: remove members with a value list.
    const removed = await scim(org, 'PATCH', `/Groups/${g.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: u.body.id }] }],
    });
    expect(removed.status, removed.text).toBe(200);
    expect((await roles())?.deployment ?? []).toEqual([]);

    // Okta: add with a list, then remove through a filtered path.
    const added = await scim(org, 'PATCH', `/Groups/${g.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: u.body.id, display: dana }] }],
    });
    expect(added.status, added.text).toBe(200);
    expect((await roles())?.deployment?.[0]?.role_id).toBe('deployment-editor');
    const user = await scim(org, 'GET', `/Users/${u.body.id}`);
    expect(user.body.groups.map((x: any) => x.display)).toEqual(['Engineers']);
    const filtered = await scim(org, 'PATCH', `/Groups/${g.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'remove', path: `members[value eq "${u.body.id}"]` }],
    });
    expect(filtered.status, filtered.text).toBe(200);
    expect(filtered.body.members).toEqual([]);
    expect((await roles())?.deployment ?? []).toEqual([]);

    expect((await scim(org, 'DELETE', `/Groups/${g.body.id}`)).status).toBe(204);
    expect((await scim(org, 'GET', `/Groups/${g.body.id}`)).status).toBe(404);
    expect(await api.violations()).toEqual([]);
  });
});

describe('refusals', () => {
  it('a PATCH path or value naming __proto__, constructor or prototype is refused and reaches no object', async () => {
    // Found by the outside run: scim-patch walked such a path into Object.prototype, and every later request of the
    // process, any organization's, carried the property (or failed).
    const org = await acme('proto');
    const user = await scim(org, 'POST', '/Users', oktaUser(`proto@${org.domain}`));
    expect(user.status, user.text).toBe(201);
    const group = await scim(org, 'POST', '/Groups', { schemas: [GROUP], displayName: 'g', members: [] });
    expect(group.status, group.text).toBe(201);
    const attacks: Record<string, unknown>[] = [
      { op: 'add', path: '__proto__', value: { polluted: 1 } },
      { op: 'add', path: 'constructor.prototype.polluted', value: 1 },
      { op: 'add', path: '__proto__.polluted', value: 1 },
      { op: 'add', path: 'name', value: { constructor: { prototype: { polluted: 1 } } } },
    ];
    for (const op of attacks) {
      for (const path of [`/Users/${user.body.id}`, `/Groups/${group.body.id}`]) {
        const res = await scim(org, 'PATCH', path, { schemas: [PATCH], Operations: [op] });
        expectScimError(res, 400, 'invalidPath');
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
    const again = await scim(org, 'GET', `/Users/${user.body.id}`);
    expect(again.status).toBe(200);
    expect(again.body.polluted).toBeUndefined();
  });

  it('an address outside the claimed domains: 400 invalidValue, nothing written', async () => {
    const org = await acme('outside');
    const res = await scim(org, 'POST', '/Users', oktaUser(api.email('outsider')));
    expectScimError(res, 400, 'invalidValue');
    expect(res.body.detail).toMatch(/not in a domain/);
    expectScimError(
      await scim(org, 'POST', '/Users', oktaUser(api.email('asleep'), { active: false })),
      400,
      'invalidValue',
    );
    expect((await scim(org, 'GET', '/Users')).body.totalResults).toBe(0);
    expect(await members(org)).toHaveLength(1);
  });

  it('links an existing member; re-activating someone who belongs elsewhere now is refused 409 with our message', async () => {
    const org = await acme('elsewhere');
    const bob = `bob@${org.domain}`;
    expect((await invite(api, org, [bob])).status).toBe(201);
    const accepted = await api.call(
      'POST',
      `/api/v1/organizations/invitations/${await api.invitationToken(bob)}/_accept`,
      {
        as: bob,
      },
    );
    expect(accepted.status, accepted.text).toBe(200);
    const s = await scim(org, 'POST', '/Users', oktaUser(bob));
    expect(s.status, s.text).toBe(201);
    const linked = (await members(org)).filter((x) => x.email === bob);
    expect(linked.map((x) => x.joined_through)).toEqual(['invitation']); // linked, not a second member
    expect(linked[0]!.user_id).toBe(await api.userId(bob));

    const patch = (value: unknown) =>
      scim(org, 'PATCH', `/Users/${s.body.id}`, {
        schemas: [PATCH],
        Operations: [{ op: 'Replace', path: 'active', value }],
      });
    expect((await patch('False')).status).toBe(200);
    expect((await members(org)).some((x) => x.email === bob)).toBe(false);
    // Bob, no longer a member, creates an organization of his own: he belongs there now.
    expect(
      (await api.call('POST', '/api/v1/organizations', { as: bob, body: { name: "Bob's" } })).status,
    ).toBe(201);
    const back = await patch('True');
    expectScimError(back, 409, 'uniqueness');
    expect(back.body.detail).toContain("member of Bob's");
    expect((await members(org)).some((x) => x.email === bob)).toBe(false);
    expect((await scim(org, 'GET', `/Users/${s.body.id}`)).body.active).toBe(false);
    expect(await api.violations()).toEqual([]);
  });

  it('deactivating or deleting the last admin: refused with why, nothing written', async () => {
    const org = await acme('last-admin');
    expect((await scim(org, 'POST', '/Users', oktaUser(`erin@${org.domain}`))).status).toBe(201);
    const boss = await scim(org, 'POST', '/Users', oktaUser(org.admin));
    expect(boss.status, boss.text).toBe(201);
    const before = await members(org);
    expect(before).toHaveLength(2);
    const off = await scim(org, 'PATCH', `/Users/${boss.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expectScimError(off, 409);
    expect(off.body.detail).toMatch(/at least one organization owner/);
    expect(await members(org)).toEqual(before);
    expect((await scim(org, 'GET', `/Users/${boss.body.id}`)).body.active).toBe(true);
    expectScimError(await scim(org, 'DELETE', `/Users/${boss.body.id}`), 409);
    expect((await scim(org, 'GET', `/Users/${boss.body.id}`)).status).toBe(200);
    expect(await members(org)).toEqual(before);
    expect(await api.violations()).toEqual([]);
  });

  it("a sole member's deployments: deactivation refused with why, nothing written", async () => {
    const org = await acme('sole');
    await createDeployment(api, org.orgId, org.admin);
    const boss = await scim(org, 'POST', '/Users', oktaUser(org.admin));
    expect(boss.status, boss.text).toBe(201);
    const off = await scim(org, 'PATCH', `/Users/${boss.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', value: { active: 'False' } }],
    });
    expectScimError(off, 409);
    expect(off.body.detail).toMatch(/active deployment/);
    expect(await members(org)).toHaveLength(1);
    expect(await api.violations()).toEqual([]);
  });

  it('deactivating someone who is moving to another organization ends the move, or finds them gone with it', async () => {
    const org = await acme('moving');
    const mover = `mover@${org.domain}`;
    expect((await invite(api, org, [mover])).status).toBe(201);
    const token = await api.invitationToken(mover);
    expect(
      (await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { as: mover })).status,
    ).toBe(200);
    const s = await scim(org, 'POST', '/Users', oktaUser(mover));
    expect(s.status, s.text).toBe(201);
    const target = await orgWithAdmin(api, 'moving-target');
    expect((await invite(api, target, [mover])).status).toBe(201);
    const repo = await api.call('POST', '/api/v1/users/me/snapshot-repositories', {
      as: mover,
      body: { name: 'b' },
    });
    const started = await api.call('POST', '/api/v1/migrations', {
      as: mover,
      body: { target_organization_id: target.orgId, repository_id: repo.body.id },
    });
    expect(started.status, started.text).toBe(201);
    const off = await scim(org, 'PATCH', `/Users/${s.body.id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.status, off.text).toBe(200);
    expect((await members(org)).some((x) => x.email === mover)).toBe(false);
    // The deactivation either came before the move's leave (the move is cancelled and rolls back) or after it (the
    // leave took the membership, and the move waits for its invitation to be accepted).
    const m = await waitFor(
      api,
      mover,
      started.body.id,
      (x) => finished(x) || waitingForAcceptance(x),
      30_000,
    );
    if (finished(m)) {
      // Ended before leaving: cancelled (or stopped by its validation, the member gone), having moved nothing.
      expect(['cancelled', 'failed'], JSON.stringify(m)).toContain(m.status);
      expect(m.cancel_requested_at).toBeDefined();
      expect(m.left_at).toBeUndefined();
    }
    expect(await api.violations()).toEqual([]);
  });
});
