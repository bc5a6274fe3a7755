import { randomBytes } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { isIdempotencyRecord } from '../../functions/shared/table.ts';
import { orgWithAdmin } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();
/** A fresh organization name (2-30 characters). */
const fresh = (word: string) => `${word} ${randomBytes(4).toString('hex')}`;
const items = async () =>
  ((await dynamo.send(new ScanCommand({ TableName: api.stack.tableName, ConsistentRead: true }))).Items ??
    []) as Record<string, unknown>[];
const orgsNamed = async (name: string) =>
  (await items()).filter((i) => i.entity === 'Organization' && i.name === name);
const post = (path: string, as: string, body: unknown, key?: string) =>
  api.call('POST', path, { as, body, headers: key === undefined ? {} : { 'idempotency-key': key } });
/** Handler headers only: the gateway's own (date, timing, connection) differ per answer. */
const handlerHeaders = (h: Headers) =>
  Object.fromEntries(
    [...h.entries()].filter(([k]) => !['date', 'server-timing', 'connection', 'keep-alive'].includes(k)),
  );

describe('Idempotency-Key on POST', () => {
  it('creates one organization for a key sent twice, and answers the second time with the first answer byte for byte', async () => {
    const owner = api.email('idem-owner');
    const name = fresh('Idem');
    const first = await post('/api/v1/organizations', owner, { name }, 'create-org-1');
    const second = await post('/api/v1/organizations', owner, { name }, 'create-org-1');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const { 'idempotent-replayed': _, ...replayed } = handlerHeaders(second.headers);
    expect(replayed).toEqual(handlerHeaders(first.headers));
    expect(await orgsNamed(name)).toHaveLength(1);
    // Its record carries a TTL about 24 hours away, and the checker finds nothing wrong.
    const records = (await items()).filter((i) => isIdempotencyRecord(i as { pk: string; sk: string }));
    const ownerId = await api.userId(owner);
    const mine = records.find(
      (r) => String(r.pk).endsWith('#create-org-1') && String(r.pk).includes(ownerId),
    );
    expect(mine).toBeDefined();
    expect(Number(mine?.ttl) - Date.now() / 1000).toBeGreaterThan(23.9 * 3600);
    expect(await api.violations()).toEqual([]);
  });

  it('keeps a 4xx answer too: the same key and body answer the same refusal', async () => {
    const owner = api.email('idem-refused');
    const first = await post('/api/v1/organizations', owner, { name: '' }, 'refused-1');
    const second = await post('/api/v1/organizations', owner, { name: '' }, 'refused-1');
    expect(first.status).toBe(400);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 422 for the same key with another body, and writes nothing', async () => {
    const owner = api.email('idem-reuse');
    const name = fresh('Reuse');
    const first = await post('/api/v1/organizations', owner, { name }, 'reuse-1');
    expect(first.status).toBe(201);
    const before = (await items()).length;
    const other = await post('/api/v1/organizations', owner, { name: `${name} 2` }, 'reuse-1');
    expect(other.status).toBe(422);
    expect(other.body).toEqual({
      errors: [expect.objectContaining({ code: 'root.idempotency_key_reused' })],
    });
    expect((await items()).length).toBe(before);
    expect(await orgsNamed(`${name} 2`)).toHaveLength(0);
  });

  it('runs two concurrent requests with one key once: the other gets the replay or 409, never a second organization', async () => {
    const owner = api.email('idem-race');
    const name = fresh('Race');
    const answers = await Promise.all(
      [1, 2, 3].map(() => post('/api/v1/organizations', owner, { name }, 'race-1')),
    );
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const a of answers) {
      if (a.status === 201) expect(a.text).toBe(created[0]!.text);
      else {
        expect(a.status).toBe(409);
        expect(a.body.errors[0].code).toBe('root.idempotency_key_in_progress');
        expect(a.headers.get('retry-after')).toBe('1');
      }
    }
    expect(await orgsNamed(name)).toHaveLength(1);
  });

  it('keeps keys per caller: another user with the same key gets their own result', async () => {
    const [a, b] = [api.email('idem-a'), api.email('idem-b')];
    const name = fresh('Shared');
    const ra = await post('/api/v1/organizations', a, { name }, 'same-key');
    const rb = await post('/api/v1/organizations', b, { name }, 'same-key');
    expect(ra.status, ra.text).toBe(201);
    expect(rb.status, rb.text).toBe(201);
    expect(rb.headers.get('idempotent-replayed')).toBeNull();
    expect(rb.body.id).not.toBe(ra.body.id);
    expect(await orgsNamed(name)).toHaveLength(2);
  });

  it('sends one invitation and one email for an invite retried after its success', async () => {
    const org = await orgWithAdmin(api, 'idem-invite');
    const invitee = api.email('idem-invitee');
    const path = `/api/v1/organizations/${org.orgId}/invitations`;
    const first = await post(path, org.admin, { emails: [invitee] }, 'invite-1');
    const again = await post(path, org.admin, { emails: [invitee] }, 'invite-1');
    expect(first.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const invitations = (await items()).filter((i) => i.entity === 'Invitation' && i.email === invitee);
    expect(invitations).toHaveLength(1);
    expect(await api.mailTo(invitee)).toHaveLength(1);
  });

  it('refuses a key that is not 1-255 printable ASCII characters with 400 naming the header', async () => {
    const owner = api.email('idem-bad');
    let checked = 0;
    for (const key of ['', 'x'.repeat(256), 'tab\there', 'clé']) {
      const r = await api
        .call('POST', '/api/v1/organizations', {
          as: owner,
          body: { name: 'Bad key' },
          headers: { 'idempotency-key': key },
        })
        .catch((e: Error) => ({ status: 0, body: String(e) }) as never);
      if (r.status === 0) continue; // fetch refuses some header values itself
      checked++;
      expect(r.status, key).toBe(400);
      expect(r.body.errors[0]).toMatchObject({ code: 'root.invalid_data', fields: ['Idempotency-Key'] });
    }
    expect(checked).toBeGreaterThanOrEqual(2);
    expect(await orgsNamed('Bad key')).toHaveLength(0);
  });
});
