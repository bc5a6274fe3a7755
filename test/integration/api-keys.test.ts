/**
 * Organization API keys through the HTTP API: made once (the secret shown once, only its hash stored), used with
 * `Authorization: ApiKey …` on protected routes, listed, revoked and expired (401 at once), bounded by their roles and by
 * their creator's (a viewer key cannot act as admin), and dead once the creator leaves the organization.
 */
import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { keys } from '../../functions/shared/table.ts';
import { addMember, createDeployment, deploymentViewer, orgWithAdmin } from '../support/factories.ts';
import { captureLogLines } from '../support/log-capture.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({ localOnly: 'edits API key items in the table' });
const KEYS = '/api/v1/users/auth/keys';
const withKey = (key: string) => ({ headers: { authorization: `ApiKey ${key}` } });
const DAY = 86_400_000;
/** The secret after `omk_<32 hex>_` (base64url: it may hold `_` itself). */
const secretOf = (key: string) => key.slice('omk_'.length + 33);

async function makeKey(as: string, body: Record<string, unknown> = { description: 'ci' }) {
  // Sent with an Idempotency-Key, as a careful client would: a stored answer would hold the secret in the table (the
  // scan below would find it), so this route does not take one.
  const res = await api.call('POST', KEYS, {
    as,
    body,
    headers: { 'idempotency-key': `key-${Math.random()}` },
  });
  expect(res.status, res.text).toBe(201);
  return res;
}

afterEach(() => {
  vi.restoreAllMocks();
  process.env.LOG_LEVEL = 'silent';
});

describe('API keys', () => {
  it('creates a key shown once, with its expiry in a header, that works on protected routes and is listed without its secret', async () => {
    const org = await orgWithAdmin(api, 'keys');
    const started = Date.now();
    const res = await makeKey(org.admin, { description: 'deploy bot' });
    const key = res.body.key as string;
    expect(key).toMatch(/^omk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    expect(res.body).toMatchObject({ description: 'deploy bot', organization_id: org.orgId });
    const expires = Date.parse(res.body.expiration_date);
    expect(expires - started).toBeGreaterThanOrEqual(90 * DAY - 60_000);
    expect(expires - started).toBeLessThanOrEqual(90 * DAY + 60_000);
    expect(res.headers.get('x-api-key-expires-at')).toBe(res.body.expiration_date);
    // Roles default to the creator's: organization-admin.
    expect(res.body.role_assignments.organization[0].role_id).toBe('organization-admin');

    const org1 = await api.call('GET', `/api/v1/organizations/${org.orgId}`, withKey(key));
    expect(org1.status, org1.text).toBe(200);
    const me = await api.call('GET', '/api/v1/users/me', withKey(key));
    expect(me.body.organization.id).toBe(org.orgId);

    const list = await api.call('GET', KEYS, { as: org.admin });
    expect(list.status).toBe(200);
    expect(list.body.keys.map((k: { id: string }) => k.id)).toContain(res.body.id);
    expect(list.text).not.toContain(secretOf(key));
    const one = await api.call('GET', `${KEYS}/${res.body.id}`, { as: org.admin });
    expect(one.status).toBe(200);
    expect(one.body.key).toBeUndefined();
    // Someone else's key is not found.
    const other = await orgWithAdmin(api, 'keys-other');
    expect((await api.call('GET', `${KEYS}/${res.body.id}`, { as: other.admin })).status).toBe(404);

    // The table holds the hash, never the key or its secret.
    const scan = await dynamo.send(new ScanCommand({ TableName: api.stack.tableName }));
    const text = JSON.stringify(scan.Items);
    expect(text).not.toContain(key);
    expect(text).not.toContain(secretOf(key));
  });

  it('a never-expiring key, expirations past a year or malformed, and keys made by keys are refused', async () => {
    const org = await orgWithAdmin(api, 'keys-exp');
    const never = await makeKey(org.admin, { description: 'forever', expiration: 'never' });
    expect(never.body.expiration_date).toBeUndefined();
    expect(never.headers.get('x-api-key-expires-at')).toBe('never');
    const day = await makeKey(org.admin, { description: 'a day', expiration: '1d' });
    expect(Date.parse(day.body.expiration_date) - Date.now()).toBeLessThanOrEqual(DAY);
    for (const expiration of ['366d', '0d', 'soon', '5w']) {
      const bad = await api.call('POST', KEYS, { as: org.admin, body: { description: 'x', expiration } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].code).toBe('api_keys.invalid_input');
    }
    const byKey = await api.call('POST', KEYS, {
      ...withKey(never.body.key),
      body: { description: 'child' },
    });
    expect(byKey.status).toBe(403);
  });

  it('revoked and expired keys get 401 at once', async () => {
    const org = await orgWithAdmin(api, 'keys-revoke');
    const a = await makeKey(org.admin);
    const b = await makeKey(org.admin);
    const path = `/api/v1/organizations/${org.orgId}`;
    expect((await api.call('GET', path, withKey(a.body.key))).status).toBe(200);
    const del = await api.call('DELETE', `${KEYS}/${a.body.id}`, { as: org.admin });
    expect(del.status).toBe(200);
    expect((await api.call('GET', path, withKey(a.body.key))).status).toBe(401);
    expect((await api.call('DELETE', `${KEYS}/${a.body.id}`, { as: org.admin })).status).toBe(404);

    expect((await api.call('GET', path, withKey(b.body.key))).status).toBe(200);
    await dynamo.send(
      new UpdateCommand({
        TableName: api.stack.tableName,
        Key: keys.apiKey(b.body.id),
        UpdateExpression: 'SET expires_at = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    expect((await api.call('GET', path, withKey(b.body.key))).status).toBe(401);

    // The body form deletes too.
    const c = await makeKey(org.admin);
    const bulk = await api.call('DELETE', KEYS, { as: org.admin, body: { keys: [c.body.id] } });
    expect(bulk.status).toBe(200);
    expect((await api.call('GET', path, withKey(c.body.key))).status).toBe(401);
    // A wrong secret for a real id, and garbage, are 401.
    const d = await makeKey(org.admin);
    const wrong = `${d.body.key.slice(0, -1)}${d.body.key.endsWith('A') ? 'B' : 'A'}`;
    expect((await api.call('GET', path, withKey(wrong))).status).toBe(401);
    expect((await api.call('GET', path, withKey('omk_nope'))).status).toBe(401);
  });

  it("bounds a key by its roles and by its creator's: wider than the creator's is refused, a viewer key cannot act as admin", async () => {
    const org = await orgWithAdmin(api, 'keys-roles');
    const viewer = await addMember(api, org, 'keys-viewer', deploymentViewer(org.orgId));
    const wide = await api.call('POST', KEYS, {
      as: viewer.email,
      body: {
        description: 'too wide',
        role_assignments: { organization: [{ role_id: 'organization-admin', organization_id: org.orgId }] },
      },
    });
    expect(wide.status).toBe(400);
    expect(wide.body.errors[0].code).toBe('api_keys.invalid_input');
    const malformed = await api.call('POST', KEYS, {
      as: viewer.email,
      body: {
        description: 'x',
        role_assignments: { organization: [{ role_id: 'nope', organization_id: org.orgId }] },
      },
    });
    expect(malformed.status).toBe(400);

    // The admin's key limited to deployment-viewer: reads deployments, cannot invite or create.
    const limited = await makeKey(org.admin, {
      description: 'viewer',
      role_assignments: deploymentViewer(org.orgId),
    });
    await createDeployment(api, org.orgId, org.admin);
    const list = await api.call(
      'GET',
      `/api/v1/organizations/${org.orgId}/deployments`,
      withKey(limited.body.key),
    );
    expect(list.status).toBe(200);
    expect(list.body.deployments.length).toBe(1);
    const invite = await api.call('POST', `/api/v1/organizations/${org.orgId}/invitations`, {
      ...withKey(limited.body.key),
      body: { emails: [api.email('keys-invitee')] },
    });
    expect(invite.status).toBe(403);
    const create = await api.call('POST', `/api/v1/organizations/${org.orgId}/deployments`, {
      ...withKey(limited.body.key),
      body: { name: 'nope' },
    });
    expect(create.status).toBe(403);
    const members = await api.call(
      'GET',
      `/api/v1/organizations/${org.orgId}/members`,
      withKey(limited.body.key),
    );
    expect(members.status).toBe(200);
    const me = await api.call('GET', '/api/v1/users/me', withKey(limited.body.key));
    expect(me.body.role_assignments).toEqual(deploymentViewer(org.orgId));
  });

  it('a key stops working when its creator leaves the organization', async () => {
    const org = await orgWithAdmin(api, 'keys-leave');
    const member = await addMember(api, org, 'keys-leaver', deploymentViewer(org.orgId));
    const key = (await makeKey(member.email)).body.key as string;
    const path = `/api/v1/organizations/${org.orgId}/deployments`;
    expect((await api.call('GET', path, withKey(key))).status).toBe(200);
    const removed = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${member.userId}`, {
      as: org.admin,
    });
    expect(removed.status, removed.text).toBe(200);
    expect((await api.call('GET', path, withKey(key))).status).toBe(401);
    expect((await api.call('GET', '/api/v1/users/me', withKey(key))).status).toBe(401);
  });

  it('API keys never reach a log line', async () => {
    api.requires('local-runtime', "the handlers' log lines reach this process only when they run in it");
    const org = await orgWithAdmin(api, 'keys-logs');
    const lines = captureLogLines();
    const made = await makeKey(org.admin);
    const key = made.body.key as string;
    await api.call('GET', `/api/v1/organizations/${org.orgId}`, withKey(key));
    await api.call('GET', `/api/v1/organizations/${org.orgId}/nope`, withKey(key));
    await api.call('DELETE', `${KEYS}/${made.body.id}`, { as: org.admin });
    await api.call('GET', `/api/v1/organizations/${org.orgId}`, withKey(key));
    expect(lines.filter((l) => l.includes('"message":"request"')).length).toBeGreaterThanOrEqual(3);
    const secret = secretOf(key);
    for (const line of lines) expect(line).not.toContain(secret);
  });
});

describe('what a key cannot do for its creator', () => {
  it('a key cannot make its creator leave (nor close the organization), whatever its roles', async () => {
    const org = await orgWithAdmin(api, 'keys-no-leave');
    const key = (await makeKey(org.admin, { description: 'viewer' })).body.key as string;
    const res = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/me`, {
      headers: { authorization: `ApiKey ${key}` },
    });
    expect(res.status, res.text).toBe(403);
    expect(res.body.errors[0].code).toBe('root.invalid_authentication');
    expect((await api.call('GET', `/api/v1/organizations/${org.orgId}`, { as: org.admin })).status).toBe(200);
  });
});
