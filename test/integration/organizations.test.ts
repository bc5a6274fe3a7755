import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { assertMatchesReference } from '../support/reference.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();

const scanAll = async () =>
  (await dynamo.send(new ScanCommand({ TableName: api.stack.tableName }))).Items ?? [];

describe('organizations', () => {
  it('creates an organization whose creator becomes its organization-admin, and lists and gets it', async () => {
    const alice = api.email('alice');
    const created = await api.call('POST', '/api/v1/organizations', { as: alice, body: { name: 'Acme' } });
    expect(created.status).toBe(201);
    assertMatchesReference('Organization', created.body);
    expect(created.body.name).toBe('Acme');

    const list = await api.call('GET', '/api/v1/organizations', { as: alice });
    expect(list.status).toBe(200);
    assertMatchesReference('OrganizationList', list.body);
    expect(list.body.organizations).toEqual([{ id: created.body.id, name: 'Acme' }]);

    const got = await api.call('GET', `/api/v1/organizations/${created.body.id}`, { as: alice });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ id: created.body.id, name: 'Acme' });
  });

  it('refuses a second organization for a member: organization.user_organization_already_belongs, nothing written', async () => {
    const bob = api.email('bob');
    await api.call('POST', '/api/v1/organizations', { as: bob, body: { name: 'First' } });
    const before = await scanAll();
    const second = await api.call('POST', '/api/v1/organizations', { as: bob, body: { name: 'Second' } });
    expect(second.status).toBe(400);
    assertMatchesReference('BasicFailedReply', second.body);
    expect(second.body.errors[0].code).toBe('organization.user_organization_already_belongs');
    expect(second.body.errors[0].message).toMatch(/leave/i);
    expect(await scanAll()).toHaveLength(before.length);
  });

  it('lets exactly one of many concurrent creates by one user win', async () => {
    const carol = api.email('carol');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api.call('POST', '/api/v1/organizations', { as: carol, body: { name: `Org ${i}` } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) {
      expect([400, 503]).toContain(r.status);
    }
    const list = await api.call('GET', '/api/v1/organizations', { as: carol });
    expect(list.body.organizations).toHaveLength(1);
  });

  it('answers 403 organization.invalid_access to non-members and 404 organization.not_found for unknown ids', async () => {
    const owner = api.email('owner');
    const org = await api.call('POST', '/api/v1/organizations', { as: owner, body: { name: 'Private' } });
    const stranger = await api.call('GET', `/api/v1/organizations/${org.body.id}`, {
      as: api.email('stranger'),
    });
    expect(stranger.status).toBe(403);
    expect(stranger.body.errors[0].code).toBe('organization.invalid_access');
    const unknown = await api.call('GET', '/api/v1/organizations/doesnotexist', { as: owner });
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].code).toBe('organization.not_found');
    const traversal = await api.call('GET', '/api/v1/organizations/..%2F..%2Fetc', { as: owner });
    expect(traversal.status).toBe(404);
  });

  it('renames for admins only, with the reference name rule', async () => {
    const admin = api.email('renamer');
    const org = await api.call('POST', '/api/v1/organizations', { as: admin, body: { name: 'Old name' } });
    const renamed = await api.call('PUT', `/api/v1/organizations/${org.body.id}`, {
      as: admin,
      body: { name: 'New name' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('New name');
    const tooLong = await api.call('PUT', `/api/v1/organizations/${org.body.id}`, {
      as: admin,
      body: { name: 'x'.repeat(31) },
    });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].code).toBe('organization.invalid_name');
    const outsider = await api.call('PUT', `/api/v1/organizations/${org.body.id}`, {
      as: api.email('outsider'),
      body: { name: 'Hijack' },
    });
    expect(outsider.status).toBe(403);
  });

  it('creates the user record on first sight', async () => {
    const dave = api.email('dave');
    const list = await api.call('GET', '/api/v1/organizations', { as: dave });
    expect(list.body).toEqual({ organizations: [] });
    const users = (await scanAll()).filter((i) => i.entity === 'User' && i.email === dave);
    expect(users).toHaveLength(1);
  });
});

describe('the edge', () => {
  it('answers 401 root.unauthorized without a token, with a forged token and with alg none', async () => {
    const none = await api.call('GET', '/api/v1/organizations');
    expect(none.status).toBe(401);
    assertMatchesReference('BasicFailedReply', none.body);
    expect(none.body.errors[0].code).toBe('root.unauthorized');

    const real = await api.token(api.email('eve'));
    const [h, p] = real.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url')}.${real.split('.')[2]}`;
    expect((await api.call('GET', '/api/v1/organizations', { token: tampered })).status).toBe(401);

    const algNone = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${p}.`;
    expect((await api.call('GET', '/api/v1/organizations', { token: algNone })).status).toBe(401);

    const expired = await api.token(api.email('eve'), { expiresIn: '-1m' });
    expect((await api.call('GET', '/api/v1/organizations', { token: expired })).status).toBe(401);
  });

  it('answers unknown routes, wrong methods, bad JSON and oversized bodies with the error body', async () => {
    const who = api.email('edge');
    const unknown = await api.call('GET', '/api/v1/nothing-here');
    expect(unknown.status).toBe(404);
    assertMatchesReference('BasicFailedReply', unknown.body);

    const method = await api.call('PATCH', '/api/v1/organizations');
    expect(method.status).toBe(405);
    expect(method.body.errors[0].code).toBe('root.method_not_allowed');

    const bad = await api.call('POST', '/api/v1/organizations', {
      as: who,
      raw: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].code).toBe('root.invalid_json');

    // A form or plain text is refused as such, not parsed as JSON; JSON `null` is not an empty body.
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      const form = await api.call('POST', '/api/v1/organizations', {
        as: who,
        raw: '{"name":"Typed"}',
        headers: { 'content-type': type },
      });
      expect(form.status, type).toBe(415);
      expect(form.body.errors[0].code).toBe('root.unsupported_media_type');
    }
    const asNull = await api.call('POST', '/api/v1/organizations', { as: who, body: null });
    expect(asNull.status).toBe(400);
    expect(asNull.body.errors[0].code).toBe('root.invalid_data');

    const wrongType = await api.call('POST', '/api/v1/organizations', { as: who, body: { name: 42 } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors[0].fields).toEqual(['name']);

    const huge = await api.call('POST', '/api/v1/organizations', {
      as: who,
      body: { name: 'ok', pad: 'x'.repeat(70 * 1024) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.errors[0].code).toBe('root.payload_too_large');
    expect((await api.call('GET', '/api/v1/organizations', { as: who })).body.organizations).toEqual([]);
  });

  it('serves a public health route', async () => {
    const health = await api.call('GET', '/api/v1/health');
    expect(health).toMatchObject({ status: 200, body: { ok: true } });
  });
});
