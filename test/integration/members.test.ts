import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import {
  addMember,
  createDeployment,
  invite,
  orgWithAdmin,
  raiseBill,
  tokenFromMail,
} from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();
const scanAll = async () =>
  (await dynamo.send(new ScanCommand({ TableName: api.stack.tableName }))).Items ?? [];
const orgItem = async (orgId: string) =>
  (await scanAll()).find((i) => i.pk === `ORG#${orgId}` && i.sk === 'ORG')!;
const adminRole = (orgId: string) => ({
  organization: [{ role_id: 'organization-admin', organization_id: orgId }],
});
const deploymentAdmin = (orgId: string) => ({
  deployment: [{ role_id: 'deployment-admin', organization_id: orgId, all: true }],
});

describe('role assignments', () => {
  it('adding and removing roles changes what a member can do; both are idempotent', async () => {
    const org = await orgWithAdmin(api, 'roles');
    const bob = await addMember(api, org, 'bob');
    const path = `/api/v1/users/${bob.userId}/role_assignments`;
    expect(
      (
        await api.call('POST', `/api/v1/organizations/${org.orgId}/deployments`, {
          as: bob.email,
          body: { name: 'x' },
        })
      ).status,
    ).toBe(403);

    for (let i = 0; i < 2; i++) {
      const add = await api.call('POST', path, { as: org.admin, body: deploymentAdmin(org.orgId) });
      expect(add.status).toBe(200);
    }
    const members = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
    expect(
      members.body.members.find((m: { user_id: string }) => m.user_id === bob.userId).role_assignments,
    ).toEqual(deploymentAdmin(org.orgId));
    expect(
      (
        await api.call('POST', `/api/v1/organizations/${org.orgId}/deployments`, {
          as: bob.email,
          body: { name: 'x' },
        })
      ).status,
    ).toBe(201);

    expect((await api.call('DELETE', path, { as: org.admin, body: deploymentAdmin(org.orgId) })).status).toBe(
      200,
    );
    expect((await api.call('DELETE', path, { as: org.admin, body: deploymentAdmin(org.orgId) })).status).toBe(
      200,
    );
    expect(
      (
        await api.call('POST', `/api/v1/organizations/${org.orgId}/deployments`, {
          as: bob.email,
          body: { name: 'y' },
        })
      ).status,
    ).toBe(403);
  });

  it('refuses non-admins (403), unknown or foreign users (400 invalid_target_user_id) and bad shapes (400 invalid_config)', async () => {
    const org = await orgWithAdmin(api, 'rolebad');
    const bob = await addMember(api, org, 'rb-bob');
    const other = await orgWithAdmin(api, 'rolebad-other');
    const before = (await scanAll()).length;

    const byMember = await api.call('POST', `/api/v1/users/${bob.userId}/role_assignments`, {
      as: bob.email,
      body: adminRole(org.orgId),
    });
    expect(byMember.status).toBe(403);
    expect(byMember.body.errors[0].code).toBe('role_assignments.unauthorized_role_assignments');
    const unknown = await api.call('POST', '/api/v1/users/nobody-at-all/role_assignments', {
      as: org.admin,
      body: adminRole(org.orgId),
    });
    expect(unknown.body.errors[0].code).toBe('role_assignments.invalid_target_user_id');
    const foreign = await api.call(
      'POST',
      `/api/v1/users/${await api.userId(other.admin)}/role_assignments`,
      {
        as: org.admin,
        body: adminRole(org.orgId),
      },
    );
    expect([foreign.status, foreign.body.errors[0].code]).toEqual([
      400,
      'role_assignments.invalid_target_user_id',
    ]);
    const shape = await api.call('POST', `/api/v1/users/${bob.userId}/role_assignments`, {
      as: org.admin,
      body: { deployment: [{ role_id: 'deployment-viewer', organization_id: org.orgId }] },
    });
    expect([shape.status, shape.body.errors[0].code]).toEqual([400, 'role_assignments.invalid_config']);
    const wrongOrg = await api.call('POST', `/api/v1/users/${bob.userId}/role_assignments`, {
      as: org.admin,
      body: adminRole(other.orgId),
    });
    expect(wrongOrg.body.errors[0].code).toBe('role_assignments.invalid_config');
    expect((await scanAll()).length).toBe(before);
  });

  it('concurrent role changes to one member all land (no lost update)', async () => {
    const org = await orgWithAdmin(api, 'rolerace');
    const bob = await addMember(api, org, 'rr-bob');
    const changes = [
      { organization: [{ role_id: 'billing-admin', organization_id: org.orgId }] },
      { deployment: [{ role_id: 'deployment-viewer', organization_id: org.orgId, all: true }] },
      { project: { security: [{ role_id: 'security-viewer', organization_id: org.orgId, all: true }] } },
      {
        project: {
          observability: [
            { role_id: 'observability-editor', organization_id: org.orgId, project_ids: ['p1'] },
          ],
        },
      },
    ];
    const results = await Promise.all(
      changes.map((body) =>
        api.call('POST', `/api/v1/users/${bob.userId}/role_assignments`, { as: org.admin, body }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const members = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
    const ra = members.body.members.find(
      (m: { user_id: string }) => m.user_id === bob.userId,
    ).role_assignments;
    expect(ra.organization).toHaveLength(1);
    expect(ra.deployment).toHaveLength(1);
    expect(Object.keys(ra.project).sort()).toEqual(['observability', 'security']);
  });
});

describe('the last organization-admin', () => {
  it('cannot lose the role, be removed or leave while others remain; promoting someone first makes it possible', async () => {
    const org = await orgWithAdmin(api, 'last');
    const adminId = await api.userId(org.admin);
    const bob = await addMember(api, org, 'last-bob');

    const demote = await api.call('DELETE', `/api/v1/users/${adminId}/role_assignments`, {
      as: org.admin,
      body: adminRole(org.orgId),
    });
    expect([demote.status, demote.body.errors[0].code]).toEqual([400, 'organization.last_admin']);
    expect(demote.body.errors[0].message).toMatch(/another member/);
    const leave = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${adminId}`, {
      as: org.admin,
    });
    expect([leave.status, leave.body.errors[0].code]).toEqual([400, 'organization.last_admin']);

    expect(
      (
        await api.call('POST', `/api/v1/users/${bob.userId}/role_assignments`, {
          as: org.admin,
          body: adminRole(org.orgId),
        })
      ).status,
    ).toBe(200);
    expect(
      (await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${adminId}`, { as: org.admin }))
        .status,
    ).toBe(200);
    expect((await orgItem(org.orgId)).admin_count).toBe(1);
  });

  it('two admins leaving at the same instant: exactly one leaves, the organization keeps an admin', async () => {
    const org = await orgWithAdmin(api, 'skew');
    const second = await addMember(api, org, 'skew-second', adminRole(org.orgId));
    await addMember(api, org, 'skew-member');
    const adminId = await api.userId(org.admin);
    const leaves = await Promise.all([
      api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${adminId}`, {
        as: org.admin,
      }),
      api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${second.userId}`, { as: second.email }),
    ]);
    expect(leaves.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(leaves.find((r) => r.status === 400)!.body.errors[0].code).toBe('organization.last_admin');
    const item = await orgItem(org.orgId);
    expect([item.admin_count, item.member_count]).toEqual([1, 2]);
  });

  it('two admins demoting each other at once: one keeps the role', async () => {
    const org = await orgWithAdmin(api, 'demote');
    const second = await addMember(api, org, 'demote-second', adminRole(org.orgId));
    const adminId = await api.userId(org.admin);
    const results = await Promise.all([
      api.call('DELETE', `/api/v1/users/${second.userId}/role_assignments`, {
        as: org.admin,
        body: adminRole(org.orgId),
      }),
      api.call('DELETE', `/api/v1/users/${adminId}/role_assignments`, {
        as: second.email,
        body: adminRole(org.orgId),
      }),
    ]);
    // The loser re-reads after the lost race: it is no longer an admin (403), or the last one (400).
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect([400, 403]).toContain(results.find((r) => r.status !== 200)!.status);
    const members = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
    const admins = members.body.members.filter(
      (m: { role_assignments: { organization?: { role_id: string }[] } }) =>
        m.role_assignments.organization?.some((a) => a.role_id === 'organization-admin'),
    );
    expect(admins).toHaveLength(1);
    expect((await orgItem(org.orgId)).admin_count).toBe(1);
  });
});

describe('removing members and leaving', () => {
  it('removes several members at once, all or nothing, and releases their locks', async () => {
    const org = await orgWithAdmin(api, 'remove');
    const [a, b] = [await addMember(api, org, 'rm-a'), await addMember(api, org, 'rm-b')];
    const bad = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${a.userId},ghost`, {
      as: org.admin,
    });
    expect([bad.status, bad.body.errors[0].code, bad.body.errors[0].fields]).toEqual([
      404,
      'organization.membership_not_found',
      ['ghost'],
    ]);
    expect((await orgItem(org.orgId)).member_count).toBe(3);

    const byMember = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${b.userId}`, {
      as: a.email,
    });
    expect(byMember.status).toBe(403);

    expect(
      (
        await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${a.userId},${b.userId}`, {
          as: org.admin,
        })
      ).status,
    ).toBe(200);
    expect((await api.call('GET', `/api/v1/organizations/${org.orgId}`, { as: a.email })).status).toBe(403);
    expect((await api.call('GET', '/api/v1/organizations', { as: a.email })).body.organizations).toEqual([]);
    expect((await orgItem(org.orgId)).member_count).toBe(1);
  });

  it('a sole member leaves only with no deployments, projects or pending bills; the organization closes and the lock is released', async () => {
    const org = await orgWithAdmin(api, 'sole');
    const me = await api.userId(org.admin);
    const leave = () =>
      api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${me}`, { as: org.admin });

    const dep = await createDeployment(api, org.orgId, org.admin);
    const proj = (
      await api.call('POST', `/api/v1/organizations/${org.orgId}/projects`, {
        as: org.admin,
        body: { name: 'obs', type: 'observability' },
      })
    ).body.id;
    const bill = await raiseBill(api, org.orgId);

    let res = await leave();
    expect([res.status, res.body.errors[0].code]).toEqual([400, 'organization.has_active_deployments']);
    expect(res.body.errors[0].message).toMatch(/2 active deployment\(s\) or project\(s\)/);
    expect(
      (await api.call('DELETE', `/api/v1/organizations/${org.orgId}/deployments/${dep}`, { as: org.admin }))
        .status,
    ).toBe(200);
    res = await leave();
    expect(res.body.errors[0].code).toBe('organization.has_active_deployments');
    expect(
      (await api.call('DELETE', `/api/v1/organizations/${org.orgId}/projects/${proj}`, { as: org.admin }))
        .status,
    ).toBe(200);
    res = await leave();
    expect([res.status, res.body.errors[0].code]).toEqual([400, 'organization.has_pending_bills']);
    expect(res.body.errors[0].message).toMatch(/Settle/);
    expect(
      (await api.call('POST', `/api/v1/organizations/${org.orgId}/bills/${bill}/_settle`, { as: org.admin }))
        .status,
    ).toBe(200);

    expect((await leave()).status).toBe(200);
    expect((await orgItem(org.orgId)).status).toBe('closed');
    expect((await api.call('GET', `/api/v1/organizations/${org.orgId}`, { as: org.admin })).status).toBe(404);
    expect((await api.call('GET', '/api/v1/organizations', { as: org.admin })).body.organizations).toEqual(
      [],
    );

    const elsewhere = await orgWithAdmin(api, 'sole-next');
    await invite(api, elsewhere, [org.admin]);
    const accept = await api.call(
      'POST',
      `/api/v1/organizations/invitations/${await tokenFromMail(api, org.admin)}/_accept`,
      { as: org.admin },
    );
    expect(accept.status).toBe(200);
  });

  it('leaving releases the lock: a member who leaves can accept an invitation elsewhere', async () => {
    const org = await orgWithAdmin(api, 'hop');
    const bob = await addMember(api, org, 'hopper');
    const other = await orgWithAdmin(api, 'hop-next');
    await invite(api, other, [bob.email]);
    const token = await tokenFromMail(api, bob.email);
    const blocked = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, {
      as: bob.email,
    });
    expect(blocked.body.errors[0].code).toBe('organization.user_organization_already_belongs');
    expect(
      (
        await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${bob.userId}`, {
          as: bob.email,
        })
      ).status,
    ).toBe(200);
    expect(
      (await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { as: bob.email }))
        .status,
    ).toBe(200);
    // and can be invited back to the first organization later: a new invitation, not "already a member"
    expect((await invite(api, org, [bob.email])).status).toBe(201);
  });
});

describe('members tab', () => {
  it('lists members and open invitations with a status in one call (admins)', async () => {
    const org = await orgWithAdmin(api, 'tab');
    const bob = await addMember(api, org, 'tab-bob');
    const pending = api.email('tab-pending');
    await invite(api, org, [pending]);
    const res = await api.call('GET', `/api/v1/organizations/${org.orgId}/members?include=invitations`, {
      as: org.admin,
    });
    expect(res.status).toBe(200);
    expect(res.body.members.map((m: { status: string }) => m.status)).toEqual(['active', 'active']);
    expect(res.body.invitations).toEqual([
      expect.objectContaining({ email: pending, status: 'pending', expired: false }),
    ]);
    expect(
      (
        await api.call('GET', `/api/v1/organizations/${org.orgId}/members?include=invitations`, {
          as: bob.email,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api.call('GET', `/api/v1/organizations/${org.orgId}/members?include=everything`, {
          as: org.admin,
        })
      ).status,
    ).toBe(400);
  });
});

describe('deployments, projects and bills: bad input changes nothing', () => {
  it.each([
    ['an empty deployment name', 'deployments', { name: '' }],
    ['an unknown deployment type', 'deployments', { name: 'x', type: 'serverless' }],
    [
      'a configuration over 16 KiB',
      'deployments',
      { name: 'x', configuration: { blob: 'x'.repeat(17 * 1024) } },
    ],
    ['a configuration that is not an object', 'deployments', { name: 'x', configuration: [1, 2] }],
    [
      'a configuration nested 40 levels deep',
      'deployments',
      { name: 'x', configuration: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) },
    ],
    // A lone surrogate in a key got a 503 (DynamoDB cannot store it); now refused at the edge as invalid JSON.
    [
      'a lone surrogate in a configuration key',
      'deployments',
      { name: 'x', configuration: { 'k\udc00': 1 } },
    ],
    ['a lone surrogate in a name', 'projects', { name: 'x\ud800', type: 'security' }],
    ['a project without a type', 'projects', { name: 'x' }],
    ['an unknown project type', 'projects', { name: 'x', type: 'search' }],
    ['an unknown field', 'deployments', { name: 'x', owner: 'me' }],
  ])('refuses %s with 400', async (_label, kind, body) => {
    const org = await orgWithAdmin(api, `rb${Math.random().toString(36).slice(2, 7)}`);
    const before = (await scanAll()).length;
    const res = await api.call('POST', `/api/v1/organizations/${org.orgId}/${kind}`, { as: org.admin, body });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].code).toBe(
      /surrogate/.test(String(_label)) ? 'root.invalid_json' : 'root.invalid_data',
    );
    expect((await scanAll()).length).toBe(before);
  });

  // Found by the fuzz suite: each of these was a 5xx while configurations were stored as DynamoDB maps.
  it.each([
    ['an empty key', { a: { '': {} } }],
    ['numbers DynamoDB cannot hold', { tiny: [1e-200], huge: 1e300, rounded: 2 ** 53 }],
    ['a key named constructor', { constructor: 'x', nested: { constructor: { name: 'Set' } } }],
    ['nesting 30 levels deep', JSON.parse(`${'{"a":'.repeat(29)}1${'}'.repeat(29)}`)],
  ])('stores a configuration with %s and reads it back exactly', async (_label, configuration) => {
    const org = await orgWithAdmin(api, `rt${Math.random().toString(36).slice(2, 7)}`);
    const created = await api.call('POST', `/api/v1/organizations/${org.orgId}/deployments`, {
      as: org.admin,
      body: { name: 'x', configuration },
    });
    expect(created.status).toBe(201);
    const read = await api.call('GET', `/api/v1/organizations/${org.orgId}/deployments/${created.body.id}`, {
      as: org.admin,
    });
    expect(read.body.configuration).toEqual(configuration);
    const listed = await api.call('GET', `/api/v1/organizations/${org.orgId}/deployments`, { as: org.admin });
    expect(listed.body.deployments[0].configuration).toEqual(configuration);
  });

  it('bills: only operators raise them; amounts are positive whole cents; settling twice is refused', async () => {
    const org = await orgWithAdmin(api, 'bills');
    const notOperator = await api.call('POST', `/api/v1/organizations/${org.orgId}/bills`, {
      as: org.admin,
      body: { amount_cents: 5, description: 'x' },
    });
    expect(notOperator.status).toBe(403);
    const operator = await api.token(api.email('operator'), { operator: true });
    const negative = await api.call('POST', `/api/v1/organizations/${org.orgId}/bills`, {
      token: operator,
      body: { amount_cents: -5, description: 'x' },
    });
    expect(negative.status).toBe(400);
    const bill = await raiseBill(api, org.orgId, 999);
    expect(
      (await api.call('GET', `/api/v1/organizations/${org.orgId}/bills`, { as: org.admin })).body.bills,
    ).toEqual([expect.objectContaining({ id: bill, amount_cents: 999, currency: 'USD', status: 'pending' })]);
    expect(
      (await api.call('POST', `/api/v1/organizations/${org.orgId}/bills/${bill}/_settle`, { as: org.admin }))
        .status,
    ).toBe(200);
    const again = await api.call('POST', `/api/v1/organizations/${org.orgId}/bills/${bill}/_settle`, {
      as: org.admin,
    });
    expect([again.status, again.body.errors[0].code]).toEqual([400, 'organization.bill_already_settled']);
    expect((await orgItem(org.orgId)).pending_bill_count).toBe(0);
  });
});
