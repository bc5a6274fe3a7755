/**
 * Who may call what: every organization-scoped route against every persona, as a table. Mutating rows prepare a fresh
 * target per call so the rows do not depend on each other.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes.ts';
import { selfSignedCertificate } from '../support/certificates.ts';
import { addMember, createDeployment, invite, orgWithAdmin, raiseBill } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();
type Persona = 'admin' | 'billing' | 'deployAdmin' | 'viewerOne' | 'member' | 'outsider' | 'anonymous';
const PERSONAS: Persona[] = [
  'admin',
  'billing',
  'deployAdmin',
  'viewerOne',
  'member',
  'outsider',
  'anonymous',
];

let org: { orgId: string; admin: string };
let emails: Record<Exclude<Persona, 'anonymous'>, string>;
let d1: string;
let d2: string;
let bob: { email: string; userId: string };

beforeAll(async () => {
  org = await orgWithAdmin(api, 'authz', 'Authz');
  d1 = await createDeployment(api, org.orgId, org.admin, 'one');
  d2 = await createDeployment(api, org.orgId, org.admin, 'two');
  const o = org.orgId;
  const billing = await addMember(api, org, 'authz-billing', {
    organization: [{ role_id: 'billing-admin', organization_id: o }],
  });
  const deployAdmin = await addMember(api, org, 'authz-dadmin', {
    deployment: [{ role_id: 'deployment-admin', organization_id: o, all: true }],
  });
  const viewerOne = await addMember(api, org, 'authz-viewer', {
    deployment: [{ role_id: 'deployment-viewer', organization_id: o, deployment_ids: [d1] }],
  });
  const member = await addMember(api, org, 'authz-member');
  bob = await addMember(api, org, 'authz-bob');
  const outsider = await orgWithAdmin(api, 'authz-outsider');
  emails = {
    admin: org.admin,
    billing: billing.email,
    deployAdmin: deployAdmin.email,
    viewerOne: viewerOne.email,
    member: member.email,
    outsider: outsider.admin,
  };
}, 120_000);

interface Row {
  name: string;
  route: string;
  prepare: () => Promise<{ path: string; body?: unknown }>;
  expect: Partial<Record<Persona, number>>;
}

const M = (
  admin: number,
  billing: number,
  deployAdmin: number,
  viewerOne: number,
  member: number,
  outsider: number,
) => ({ admin, billing, deployAdmin, viewerOne, member, outsider, anonymous: 401 }) as const;
const base = () => `/api/v1/organizations/${org.orgId}`;
const IDP_CERT = selfSignedCertificate();
const viewerMapping = (name: string) => ({
  name,
  enabled: true,
  rule: { any: [{ group: 'viewers' }] },
  role_assignments: { deployment: [{ role_id: 'deployment-viewer', organization_id: org.orgId, all: true }] },
});
let n = 0;
const fresh = (label: string) => api.email(`${label}-${++n}`);

const ROWS: Row[] = [
  {
    name: 'get the organization',
    route: 'GET /api/v1/organizations/{organization_id}',
    prepare: async () => ({ path: base() }),
    expect: M(200, 200, 200, 200, 200, 403),
  },
  {
    name: 'rename the organization',
    route: 'PUT /api/v1/organizations/{organization_id}',
    prepare: async () => ({ path: base(), body: { name: 'Authz' } }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  // Claimed domains, the IdP and role mappings (#21): organization-admins only. The organization has no verified
  // domain, so the admin's IdP answers are 404 (none configured) and 400 (none can be without a verified domain).
  {
    name: 'list claimed domains',
    route: 'GET /api/v1/organizations/{organization_id}/domains',
    prepare: async () => ({ path: `${base()}/domains` }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'delete a domain claim',
    route: 'DELETE /api/v1/organizations/{organization_id}/domains',
    prepare: async () => ({ path: `${base()}/domains`, body: { domain_claim_request: `none-${++n}.test` } }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'generate a domain verification code',
    route: 'POST /api/v1/organizations/{organization_id}/domains/_generate_verification_code',
    prepare: async () => ({
      path: `${base()}/domains/_generate_verification_code`,
      body: { domain_claim_request: `authz-${++n}.test` },
    }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'verify a domain (no code: 400)',
    route: 'POST /api/v1/organizations/{organization_id}/domains/_verify',
    prepare: async () => ({
      path: `${base()}/domains/_verify`,
      body: { domain_claim_request: `none-${++n}.test` },
    }),
    expect: M(400, 403, 403, 403, 403, 403),
  },
  {
    name: 'get the IdP (none: 404)',
    route: 'GET /api/v1/organizations/{organization_id}/idp',
    prepare: async () => ({ path: `${base()}/idp` }),
    expect: M(404, 403, 403, 403, 403, 403),
  },
  {
    name: 'set up the IdP (no verified domain: 400)',
    route: 'PUT /api/v1/organizations/{organization_id}/idp',
    prepare: async () => ({
      path: `${base()}/idp`,
      body: {
        enabled: true,
        login_identifier_prefix: 'authz',
        saml_idp: {
          issuer: 'https://idp.test',
          sso_url: 'https://idp.test/sso',
          public_certificate: [IDP_CERT],
        },
      },
    }),
    expect: M(400, 403, 403, 403, 403, 403),
  },
  {
    name: 'tear down the IdP (none: 404)',
    route: 'DELETE /api/v1/organizations/{organization_id}/idp',
    prepare: async () => ({ path: `${base()}/idp` }),
    expect: M(404, 403, 403, 403, 403, 403),
  },
  {
    name: 'get the SP metadata (no IdP: 404)',
    route: 'GET /api/v1/organizations/{organization_id}/idp/metadata.xml',
    prepare: async () => ({ path: `${base()}/idp/metadata.xml` }),
    expect: M(404, 403, 403, 403, 403, 403),
  },
  {
    name: 'read the SCIM token status',
    route: 'GET /api/v1/organizations/{organization_id}/scim/token',
    prepare: async () => ({ path: `${base()}/scim/token` }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'create or rotate the SCIM token',
    route: 'POST /api/v1/organizations/{organization_id}/scim/token',
    prepare: async () => ({ path: `${base()}/scim/token` }),
    expect: M(201, 403, 403, 403, 403, 403),
  },
  {
    name: 'delete the SCIM token',
    route: 'DELETE /api/v1/organizations/{organization_id}/scim/token',
    prepare: async () => ({ path: `${base()}/scim/token` }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'list role mappings',
    route: 'GET /api/v1/organizations/{organization_id}/role_mappings',
    prepare: async () => ({ path: `${base()}/role_mappings` }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'add a role mapping',
    route: 'POST /api/v1/organizations/{organization_id}/role_mappings',
    prepare: async () => ({
      path: `${base()}/role_mappings`,
      body: { mappings: [viewerMapping(`m${++n}`)] },
    }),
    expect: M(201, 403, 403, 403, 403, 403),
  },
  {
    name: 'replace the role mappings',
    route: 'PUT /api/v1/organizations/{organization_id}/role_mappings',
    prepare: async () => ({ path: `${base()}/role_mappings`, body: { mappings: [viewerMapping('only')] } }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'delete every role mapping',
    route: 'DELETE /api/v1/organizations/{organization_id}/role_mappings',
    prepare: async () => ({ path: `${base()}/role_mappings` }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'delete role mappings by name',
    route: 'DELETE /api/v1/organizations/{organization_id}/role_mappings/{role_names}',
    prepare: async () => ({ path: `${base()}/role_mappings/none-${++n},other` }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'update a role mapping',
    route: 'PUT /api/v1/organizations/{organization_id}/role_mappings/{role_name}',
    prepare: async () => {
      const name = `u${++n}`;
      await api.call('POST', `${base()}/role_mappings`, {
        as: org.admin,
        body: { mappings: [viewerMapping(name)] },
      });
      return { path: `${base()}/role_mappings/${name}`, body: { mapping: viewerMapping(name) } };
    },
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'invite',
    route: 'POST /api/v1/organizations/{organization_id}/invitations',
    prepare: async () => ({ path: `${base()}/invitations`, body: { emails: [fresh('inv')] } }),
    expect: M(201, 403, 403, 403, 403, 404),
  },
  {
    name: 'list invitations',
    route: 'GET /api/v1/organizations/{organization_id}/invitations',
    prepare: async () => ({ path: `${base()}/invitations` }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'revoke an invitation',
    route: 'DELETE /api/v1/organizations/{organization_id}/invitations/{invitation_tokens}',
    prepare: async () => ({
      path: `${base()}/invitations/${(await invite(api, org, [fresh('rev')])).body.invitations[0].token}`,
    }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'list members',
    route: 'GET /api/v1/organizations/{organization_id}/members',
    prepare: async () => ({ path: `${base()}/members` }),
    expect: M(200, 200, 200, 200, 200, 403),
  },
  {
    name: 'remove another member',
    route: 'DELETE /api/v1/organizations/{organization_id}/members/{user_ids}',
    prepare: async () => ({
      path: `${base()}/members/${(await addMember(api, org, `victim-${++n}`)).userId}`,
    }),
    expect: M(200, 403, 403, 403, 403, 403),
  },
  {
    name: 'leave with `me` (the last organization-admin may not; an outsider is no member)',
    route: 'DELETE /api/v1/organizations/{organization_id}/members/{user_ids}',
    prepare: async () => ({ path: `${base()}/members/me` }),
    expect: { admin: 400, outsider: 403, anonymous: 401 },
  },
  {
    name: 'who am I',
    route: 'GET /api/v1/users/me',
    prepare: async () => ({ path: '/api/v1/users/me' }),
    expect: M(200, 200, 200, 200, 200, 200),
  },
  {
    name: 'add a role to a member',
    route: 'POST /api/v1/users/{user_id}/role_assignments',
    prepare: async () => ({
      path: `/api/v1/users/${bob.userId}/role_assignments`,
      body: { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] },
    }),
    expect: M(200, 403, 403, 403, 403, 400),
  },
  {
    name: 'remove a role from a member',
    route: 'DELETE /api/v1/users/{user_id}/role_assignments',
    prepare: async () => ({
      path: `/api/v1/users/${bob.userId}/role_assignments`,
      body: { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] },
    }),
    expect: M(200, 403, 403, 403, 403, 400),
  },
  {
    name: 'create a deployment',
    route: 'POST /api/v1/organizations/{organization_id}/deployments',
    prepare: async () => ({ path: `${base()}/deployments`, body: { name: 'new' } }),
    expect: M(201, 403, 201, 403, 403, 403),
  },
  {
    name: 'list deployments',
    route: 'GET /api/v1/organizations/{organization_id}/deployments',
    prepare: async () => ({ path: `${base()}/deployments` }),
    expect: M(200, 200, 200, 200, 200, 403),
  },
  {
    name: 'get a covered deployment',
    route: 'GET /api/v1/organizations/{organization_id}/deployments/{deployment_id}',
    prepare: async () => ({ path: `${base()}/deployments/${d1}` }),
    expect: M(200, 404, 200, 200, 404, 403),
  },
  {
    name: 'get an uncovered deployment',
    route: 'GET /api/v1/organizations/{organization_id}/deployments/{deployment_id}',
    prepare: async () => ({ path: `${base()}/deployments/${d2}` }),
    expect: M(200, 404, 200, 404, 404, 403),
  },
  {
    name: 'delete a deployment',
    route: 'DELETE /api/v1/organizations/{organization_id}/deployments/{deployment_id}',
    prepare: async () => ({
      path: `${base()}/deployments/${await createDeployment(api, org.orgId, org.admin, 'doomed')}`,
    }),
    expect: M(200, 404, 200, 404, 404, 403),
  },
  {
    name: 'delete the deployment a viewer sees',
    route: 'DELETE /api/v1/organizations/{organization_id}/deployments/{deployment_id}',
    prepare: async () => ({ path: `${base()}/deployments/${d1}` }),
    expect: { viewerOne: 403, member: 404, billing: 404 },
  },
  {
    name: 'create a project',
    route: 'POST /api/v1/organizations/{organization_id}/projects',
    prepare: async () => ({ path: `${base()}/projects`, body: { name: 'p', type: 'elasticsearch' } }),
    expect: M(201, 403, 403, 403, 403, 403),
  },
  {
    name: 'list projects',
    route: 'GET /api/v1/organizations/{organization_id}/projects',
    prepare: async () => ({ path: `${base()}/projects` }),
    expect: M(200, 200, 200, 200, 200, 403),
  },
  {
    name: 'get a project',
    route: 'GET /api/v1/organizations/{organization_id}/projects/{project_id}',
    prepare: async () => ({ path: `${base()}/projects/${await createProject()}` }),
    expect: M(200, 404, 404, 404, 404, 403),
  },
  {
    name: 'delete a project',
    route: 'DELETE /api/v1/organizations/{organization_id}/projects/{project_id}',
    prepare: async () => ({ path: `${base()}/projects/${await createProject()}` }),
    expect: M(200, 404, 404, 404, 404, 403),
  },
  {
    name: 'list bills',
    route: 'GET /api/v1/organizations/{organization_id}/bills',
    prepare: async () => ({ path: `${base()}/bills` }),
    expect: M(200, 200, 403, 403, 403, 403),
  },
  {
    name: 'raise a bill (operators only)',
    route: 'POST /api/v1/organizations/{organization_id}/bills',
    prepare: async () => ({ path: `${base()}/bills`, body: { amount_cents: 100, description: 'x' } }),
    expect: M(403, 403, 403, 403, 403, 403),
  },
  {
    name: 'settle a bill',
    route: 'POST /api/v1/organizations/{organization_id}/bills/{bill_id}/_settle',
    prepare: async () => ({ path: `${base()}/bills/${await raiseBill(api, org.orgId)}/_settle` }),
    expect: M(200, 200, 403, 403, 403, 403),
  },
];

async function createProject(): Promise<string> {
  const res = await api.call('POST', `${base()}/projects`, {
    as: org.admin,
    body: { name: 'proj', type: 'security' },
  });
  return res.body.id as string;
}

const routeKey = (r: Row) => r.route;

describe('authorization matrix', () => {
  it('covers every organization-scoped and role route', () => {
    const covered = new Set(ROWS.map(routeKey));
    const scoped = ROUTES.filter(
      (r) =>
        r.auth &&
        (r.path.includes('{organization_id}') ||
          r.path.includes('{user_id}') ||
          r.path.endsWith('/users/me')),
    ).map((r) => `${r.method} ${r.path}`);
    const missing = scoped.filter((k) => !covered.has(k));
    expect(missing).toEqual([]);
  });

  describe.each(ROWS)('$name', (row) => {
    it.each(PERSONAS.filter((p) => row.expect[p] !== undefined))('%s', async (persona) => {
      const { path, body } = await row.prepare();
      const method = row.route.split(' ')[0]!;
      const res = await api.call(method, path, {
        ...(persona === 'anonymous' ? {} : { as: emails[persona] }),
        ...(body !== undefined ? { body } : {}),
      });
      expect(res.status, res.text).toBe(row.expect[persona]);
      if (res.status >= 400) expect(res.body.errors[0].code).toEqual(expect.any(String));
    });
  });

  it('scoped roles see only what they cover in lists', async () => {
    const list = async (who: string) =>
      (await api.call('GET', `${base()}/deployments`, { as: who })).body.deployments.map(
        (d: { id: string }) => d.id,
      );
    expect(await list(emails.viewerOne)).toEqual([d1]);
    expect(await list(emails.member)).toEqual([]);
    expect(await list(emails.deployAdmin)).toEqual(expect.arrayContaining([d1, d2]));
  });

  it('GET /users/me tells each person who they are, their organization and roles', async () => {
    const viewer = await api.call('GET', '/api/v1/users/me', { as: emails.viewerOne });
    expect(viewer.body).toEqual({
      user_id: expect.any(String),
      email: emails.viewerOne,
      name: null,
      email_verified: true,
      organization: { id: org.orgId, name: 'Authz' },
      role_assignments: {
        deployment: [{ role_id: 'deployment-viewer', organization_id: org.orgId, deployment_ids: [d1] }],
      },
    });
    const members = (await api.call('GET', `${base()}/members`, { as: org.admin })).body.members;
    expect(members.find((m: { email: string }) => m.email === emails.viewerOne).user_id).toBe(
      viewer.body.user_id,
    );
    const nobody = await api.call('GET', '/api/v1/users/me', {
      token: await api.token(api.email('nobody'), { name: 'No Body' }),
    });
    expect(nobody.body).toMatchObject({ name: 'No Body', organization: null, role_assignments: {} });
  });

  it('a member leaves with `me`, without knowing their id, and then belongs nowhere', async () => {
    const leaver = await addMember(api, org, `leaver-${++n}`);
    const res = await api.call('DELETE', `${base()}/members/me`, { as: leaver.email });
    expect(res.status, res.text).toBe(200);
    const me = await api.call('GET', '/api/v1/users/me', { as: leaver.email });
    expect([me.body.user_id, me.body.organization]).toEqual([leaver.userId, null]);
    const members = (await api.call('GET', `${base()}/members`, { as: org.admin })).body.members;
    expect(members.map((m: { user_id: string }) => m.user_id)).not.toContain(leaver.userId);
  });

  it('`me` in role assignments is the caller', async () => {
    const add = await api.call('POST', '/api/v1/users/me/role_assignments', {
      as: org.admin,
      body: { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] },
    });
    expect(add.status, add.text).toBe(200);
    const me = await api.call('GET', '/api/v1/users/me', { as: org.admin });
    expect(me.body.role_assignments.organization.map((a: { role_id: string }) => a.role_id)).toEqual([
      'billing-admin',
      'organization-admin',
    ]);
    const remove = await api.call('DELETE', '/api/v1/users/me/role_assignments', {
      as: org.admin,
      body: { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] },
    });
    expect(remove.status).toBe(200);
  });

  it('an operator (identity-provider group) may raise a bill', async () => {
    const res = await api.call('POST', `${base()}/bills`, {
      token: await api.token(api.email('ops'), { operator: true }),
      body: { amount_cents: 100, description: 'x' },
    });
    expect(res.status).toBe(201);
  });
});
