/**
 * Signing in through an organization's SAML IdP, end to end over HTTP: the local OpenID Connect provider federates to
 * the SSO bridge, the bridge sends the AuthnRequest to the local SAML IdP, the IdP's signed answer is posted to the
 * ACS, and the token that comes back works on the API. Joining, role mappings re-applied, linking an existing member
 * (and never linking through another organization's IdP or an unclaimed domain), the person who belongs elsewhere,
 * replays and tampering, SSO required, and two first sign-ins at once.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createDeployment, orgWithAdmin } from '../support/factories.ts';
import { postToAcs, ssoOrganization, ssoSignIn, tokenOf } from '../support/sso.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({ localOnly: 'signs in through the local SAML IdP and the local DNS server' });
const run = randomBytes(3).toString('hex');

const editorOnAll = (orgId: string) => ({
  deployment: [{ role_id: 'deployment-editor', organization_id: orgId, all: true }],
});
const engineers = (orgId: string) => ({
  name: 'engineers',
  enabled: true,
  rule: { any: [{ group: 'engineers' }] },
  role_assignments: editorOnAll(orgId),
});
const viewers = (orgId: string) => ({
  name: 'viewers',
  enabled: true,
  rule: { any: [{ group: 'viewers' }] },
  role_assignments: { deployment: [{ role_id: 'deployment-viewer', organization_id: orgId, all: true }] },
});

async function acme(label: string, extra: { sso_required?: boolean } = {}) {
  const org = await orgWithAdmin(api, label);
  const domain = `${label}-${run}.test`;
  await ssoOrganization(api, org, domain, extra);
  const mapped = await api.call('POST', `/api/v1/organizations/${org.orgId}/role_mappings`, {
    as: org.admin,
    body: { mappings: [engineers(org.orgId), viewers(org.orgId)] },
  });
  expect(mapped.status, mapped.text).toBe(201);
  return { ...org, domain };
}

const person = (domain: string, local: string, groups: string[], name?: string) => {
  const email = `${local}@${domain}`;
  api.stack.samlIdp.users.set({ email, groups, ...(name ? { name } : {}) });
  return email;
};

const members = async (org: { orgId: string; admin: string }) => {
  const res = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
  expect(res.status, res.text).toBe(200);
  return res.body.members as {
    user_id: string;
    email: string;
    role_assignments: unknown;
    joined_through: string;
  }[];
};

describe('SSO sign-in', () => {
  it('a new person joins with the mapped roles, and the next sign-in after a group change changes them', async () => {
    const org = await acme('join');
    const dev = person(org.domain, 'dev', ['engineers'], 'Dev One');
    const token = tokenOf(await ssoSignIn(api, dev));

    const orgs = await api.call('GET', '/api/v1/organizations', { token });
    expect(orgs.body.organizations).toEqual([{ id: org.orgId, name: org.name }]);
    const me = (await members(org)).find((m) => m.email === dev)!;
    expect(me).toMatchObject({ joined_through: 'sso', role_assignments: editorOnAll(org.orgId) });
    const admin = (await members(org)).find((m) => m.email === org.admin)!;
    expect(admin.joined_through).toBe('created');

    api.stack.samlIdp.users.set({ email: dev, groups: ['viewers'] });
    const again = tokenOf(await ssoSignIn(api, dev));
    const after = (await members(org)).find((m) => m.email === dev)!;
    expect(after.user_id).toBe(me.user_id); // the same person: the IdP and the NameID, not a new account
    expect(after.role_assignments).toEqual(viewers(org.orgId).role_assignments);
    // The token acts as that member: a viewer cannot create a deployment.
    const create = await api.call('POST', `/api/v1/organizations/${org.orgId}/deployments`, {
      token: again,
      body: { name: 'x', configuration: { size: '4g' } },
    });
    expect(create.status, create.text).toBe(403);

    // No mapping matches: still a member, with no roles (the console tells them to ask an admin).
    api.stack.samlIdp.users.set({ email: dev, groups: [] });
    tokenOf(await ssoSignIn(api, dev));
    expect((await members(org)).find((m) => m.email === dev)!.role_assignments).toEqual({});
    expect(await api.violations()).toEqual([]);
  });

  it('an existing member in the claimed domain is linked: same user, deployments kept, roles from the mappings', async () => {
    const org = await orgWithAdmin(api, 'link');
    const domain = `link-${run}.test`;
    // Invited before SSO, with a password account (the local provider's token), at an address of the domain.
    const email = `old@${domain}`;
    const inv = await api.call('POST', `/api/v1/organizations/${org.orgId}/invitations`, {
      as: org.admin,
      body: { emails: [email], role_assignments: viewers(org.orgId).role_assignments },
    });
    expect(inv.status, inv.text).toBe(201);
    const accepted = await api.call(
      'POST',
      `/api/v1/organizations/invitations/${await api.invitationToken(email)}/_accept`,
      { as: email },
    );
    expect(accepted.status, accepted.text).toBe(200);
    const before = (await members(org)).find((m) => m.email === email)!;
    const deployment = await createDeployment(api, org.orgId, org.admin, 'theirs');

    await ssoOrganization(api, org, domain);
    await api.call('POST', `/api/v1/organizations/${org.orgId}/role_mappings`, {
      as: org.admin,
      body: { mappings: [engineers(org.orgId)] },
    });
    person(domain, 'old', ['engineers']);
    const token = tokenOf(await ssoSignIn(api, email));
    const after = (await members(org)).find((m) => m.email === email)!;
    expect(after.user_id).toBe(before.user_id);
    expect(after.joined_through).toBe('invitation');
    expect(after.role_assignments).toEqual(editorOnAll(org.orgId)); // the mappings', replacing the invitation's
    const got = await api.call('GET', `/api/v1/organizations/${org.orgId}/deployments/${deployment}`, {
      token,
    });
    expect(got.status, got.text).toBe(200);
    expect(await api.violations()).toEqual([]);
  });

  it("never links through another organization's IdP, nor an address outside the claimed domains", async () => {
    const a = await acme('own');
    const email = person(a.domain, 'victim', ['engineers']);
    const victim = tokenOf(await ssoSignIn(api, email));
    const victimId = (await members(a)).find((m) => m.email === email)!.user_id;

    // Organization B trusts the same local IdP (same issuer and key) but owns another domain: the IdP vouching for
    // an address at A's domain gets B nothing, and A's member is untouched.
    const b = await acme('other');
    const login = (await api.call('GET', `/api/v1/organizations/${b.orgId}/idp`, { as: b.admin })).body
      .login_identifier as string;
    const viaB = await ssoSignIn(api, email, { loginHint: `org:${login}` });
    expect('page' in viaB && viaB.page.status).toBe(403);
    expect('page' in viaB && viaB.page.text).toContain('is not in a domain');
    expect((await members(b)).map((m) => m.email)).not.toContain(email);

    // A's own IdP asserting an address outside A's claimed domains: refused, nothing written.
    const outsider = person(`unclaimed-${run}.test`, 'someone', ['engineers']);
    const unclaimed = await ssoSignIn(api, outsider, {
      loginHint: `org:${(await api.call('GET', `/api/v1/organizations/${a.orgId}/idp`, { as: a.admin })).body.login_identifier}`,
    });
    expect('page' in unclaimed && unclaimed.page.status).toBe(403);
    expect((await members(a)).map((m) => m.user_id)).toEqual(expect.arrayContaining([victimId]));
    expect((await members(a)).map((m) => m.email)).not.toContain(outsider);
    expect((await api.call('GET', '/api/v1/organizations', { token: victim })).status).toBe(200);
  });

  it('an answer replayed, tampered or for another sign-in is refused and changes nothing', async () => {
    const org = await acme('replay');
    const dev = person(org.domain, 'dev', ['engineers']);
    let kept: Parameters<typeof postToAcs>[0] | undefined;
    tokenOf(await ssoSignIn(api, dev, { keep: (p) => (kept = p) }));
    const count = (await members(org)).length;

    const replay = await postToAcs(kept!);
    expect(replay.status).toBe(400);
    expect(replay.location).toBeUndefined();

    const tampered = await ssoSignIn(api, dev, {
      tamper: (r) =>
        Buffer.from(Buffer.from(r, 'base64').toString('utf8').replace(dev, `boss@${org.domain}`)).toString(
          'base64',
        ),
    });
    expect('page' in tampered && tampered.page.status).toBe(403);

    // The old answer under a new sign-in's RelayState: it answers another AuthnRequest (InResponseTo).
    let fresh: Parameters<typeof postToAcs>[0] | undefined;
    await ssoSignIn(api, dev, { tamper: (r) => r, keep: (p) => (fresh = p) });
    const crossed = await postToAcs({ ...kept!, RelayState: fresh!.RelayState });
    expect(crossed.status).toBe(400); // that sign-in's request was used by the one that just finished
    expect((await members(org)).length).toBe(count);
    expect(await api.violations()).toEqual([]);
  });

  it('someone who belongs to another organization gets the page with the move, and stays where they are', async () => {
    const org = await acme('elsewhere');
    const dev = person(org.domain, 'dev', ['engineers']);
    const token = tokenOf(await ssoSignIn(api, dev));
    const me = (await members(org)).find((m) => m.email === dev)!;
    expect(
      (await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/me`, { token })).status,
    ).toBe(200);
    const own = await api.call('POST', '/api/v1/organizations', { token, body: { name: 'Side project' } });
    expect(own.status, own.text).toBe(201);

    const res = await ssoSignIn(api, dev);
    expect('page' in res && res.page.status).toBe(409);
    expect('page' in res && res.page.text).toContain('Side project');
    expect('page' in res && res.page.text).toContain('Move to another organization');
    expect((await members(org)).map((m) => m.user_id)).not.toContain(me.user_id);
    expect(await api.violations()).toEqual([]);
  });

  it('with SSO required, a member of a claimed domain needs an SSO sign-in; an owner outside it keeps access', async () => {
    const org = await acme('required', { sso_required: true });
    const dev = person(org.domain, 'dev', ['engineers']);
    const sso = tokenOf(await ssoSignIn(api, dev));
    const userId = (await members(org)).find((m) => m.email === dev)!.user_id;

    expect((await api.call('GET', `/api/v1/organizations/${org.orgId}`, { token: sso })).status).toBe(200);
    // The same person with a password sign-in (same user id, no sso_org): refused, saying what to do.
    const password = await api.token(dev, { sub: userId });
    const refused = await api.call('GET', `/api/v1/organizations/${org.orgId}`, { token: password });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].code).toBe('org.idp.sso_required');
    expect(refused.body.errors[0].message).toContain('sign in with SSO');
    // Moving out acts on the organization too.
    const move = await api.call('POST', '/api/v1/migrations', {
      token: password,
      body: { target_organization_id: 'elsewhere', repository_id: 'r' },
    });
    expect(move.status, move.text).toBe(403);
    expect(move.body.errors[0].code).toBe('org.idp.sso_required');
    // The owner's address is outside the claimed domain (break-glass).
    expect((await api.call('GET', `/api/v1/organizations/${org.orgId}`, { as: org.admin })).status).toBe(200);
  });

  it('the last owner who signs in without SSO cannot leave or step down while no mapping grants organization-admin', async () => {
    const org = await acme('reach');
    const dev = person(org.domain, 'dev', ['engineers']);
    tokenOf(await ssoSignIn(api, dev));
    const devId = (await members(org)).find((m) => m.email === dev)!.user_id;
    const promote = await api.call('POST', `/api/v1/users/${devId}/role_assignments`, {
      as: org.admin,
      body: { organization: [{ role_id: 'organization-admin', organization_id: org.orgId }] },
    });
    expect(promote.status, promote.text).toBe(200);
    const adminId = (await members(org)).find((m) => m.email === org.admin)!.user_id;

    // The other admin joined through SSO: their roles are the mappings' at their next sign-in, and none grants it.
    const leave = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/me`, {
      as: org.admin,
    });
    expect(leave.status, leave.text).toBe(400);
    expect(leave.body.errors[0].code).toBe('org.role_mapping_rule.admin_unreachable');
    const stepDown = await api.call('DELETE', `/api/v1/users/${adminId}/role_assignments`, {
      as: org.admin,
      body: { organization: [{ role_id: 'organization-admin', organization_id: org.orgId }] },
    });
    expect(stepDown.status, stepDown.text).toBe(400);
    expect((await members(org)).find((m) => m.email === org.admin)).toBeDefined();

    // A mapping that grants it keeps an admin reachable: now the owner may go.
    const owners = await api.call('POST', `/api/v1/organizations/${org.orgId}/role_mappings`, {
      as: org.admin,
      body: {
        mappings: [
          {
            name: 'owners',
            enabled: true,
            rule: { any: [{ group: 'owners' }] },
            role_assignments: {
              organization: [{ role_id: 'organization-admin', organization_id: org.orgId }],
            },
          },
        ],
      },
    });
    expect(owners.status, owners.text).toBe(201);
    const left = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/me`, { as: org.admin });
    expect(left.status, left.text).toBe(200);
    expect(await api.violations()).toEqual([]);
  });

  it("the bridge's protocol edges: repeated or unknown parameters, a malformed challenge, bodies that are not forms", async () => {
    const client = JSON.parse(process.env.SSO_CLIENTS!)[0] as { client_id: string; redirect_uris: string[] };
    const base = `${api.stack.apiUrl}/api/v1/sso/authorize`;
    const q = (extra: string) =>
      `${base}?client_id=${client.client_id}&redirect_uri=${encodeURIComponent(client.redirect_uris[0]!)}&response_type=code&scope=openid&login_hint=x%40y.test${extra}`;
    const get = (url: string) => fetch(url, { redirect: 'manual' });

    // The IdP's sso_login_url opens the console, which starts the sign-in for that organization.
    const login = await get(`${api.stack.apiUrl}/api/v1/saml/login/acme-org1`);
    expect([login.status, login.headers.get('location')]).toEqual([302, '/console/?sso=acme-org1']);

    // Two return addresses: which one would we use? Neither: a page, no redirect.
    const twice = await get(`${q('')}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`);
    expect(twice.status).toBe(400);
    expect(twice.headers.get('location')).toBeNull();
    const repeatedState = await get(`${q('&state=a&state=b')}`);
    expect(new URL(repeatedState.headers.get('location')!).searchParams.get('error')).toBe('invalid_request');
    const shortChallenge = await get(q('&code_challenge=abc&code_challenge_method=S256'));
    expect(new URL(shortChallenge.headers.get('location')!).searchParams.get('error')).toBe(
      'invalid_request',
    );

    // Bytes that are not UTF-8: the ACS answers a page, the token endpoint an OAuth error.
    const org = await acme('edges');
    const notUtf8 = Buffer.from([0x53, 0x41, 0x4d, 0x4c, 0x3d, 0xff, 0xfe]);
    const acs = await fetch(`${api.stack.apiUrl}/api/v1/saml/acs/${org.orgId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: notUtf8,
    });
    expect(acs.status).toBe(400);
    expect(acs.headers.get('content-type')).toContain('text/html');
    const tokenRes = await fetch(`${api.stack.apiUrl}/api/v1/sso/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: notUtf8,
    });
    expect(tokenRes.status).toBe(400);
    expect(((await tokenRes.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('two first sign-ins of one person at once make one member', async () => {
    const org = await acme('race');
    const dev = person(org.domain, 'dev', ['engineers']);
    const results = await Promise.all([ssoSignIn(api, dev), ssoSignIn(api, dev), ssoSignIn(api, dev)]);
    expect(results.filter((r) => 'token' in r).length).toBeGreaterThanOrEqual(1);
    for (const r of results) if ('page' in r) expect(r.page.status).toBe(409);
    expect((await members(org)).filter((m) => m.email === dev)).toHaveLength(1);
    const orgRead = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
    expect(orgRead.body.total).toBe(2);
    expect(await api.violations()).toEqual([]);
  });
});
