/**
 * What a person can put in a name, a description or a configuration: bytes that are not UTF-8 are refused, never stored
 * as U+FFFD; control characters that could break an email header or a page are refused in every display text field.
 * Sent through the local gateway, as raw bytes, so the path from socket to handler is the one a client meets.
 */
import { describe, expect, it } from 'vitest';
import { useStack } from '../support/stack.ts';

const api = useStack();

/** `"A\xffB"`-style text to bytes: each \xNN is that one byte, everything else plain ASCII. */
const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

// With the JSON type (a local gateway and perhaps AWS pass it as a string) and with none (API Gateway base64-encodes).
const TYPES: (Record<string, string> | undefined)[] = [{ 'content-type': 'application/json' }, undefined];

async function scene(label: string) {
  const admin = api.email(`${label}-admin`);
  const org = await api.call('POST', '/api/v1/organizations', { as: admin, body: { name: 'Before' } });
  expect(org.status).toBe(201);
  return { admin, orgId: org.body.id as string };
}

const refusedAsNotUtf8 = (res: { status: number; body: any }, where: string) => {
  expect(res.status, where).toBe(400);
  expect(res.body.errors[0].code, where).toBe('root.invalid_json');
  expect(res.body.errors[0].message, where).toMatch(/not valid UTF-8 \(byte 0x[0-9A-F]{2} at offset \d+\)/);
};

describe('request bodies that are not UTF-8', () => {
  it('refuses a rename to "A\\xffB\\xc0\\x80" with 400 root.invalid_json; the name stays', async () => {
    const { admin, orgId } = await scene('rename');
    for (const headers of TYPES) {
      const res = await api.call('PUT', `/api/v1/organizations/${orgId}`, {
        as: admin,
        raw: bytes('{"name":"A\xffB\xc0\x80"}'),
        ...(headers ? { headers } : {}),
      });
      refusedAsNotUtf8(res, JSON.stringify(headers));
      expect(res.body.errors[0].message).toContain('byte 0xFF at offset 10');
    }
    const got = await api.call('GET', `/api/v1/organizations/${orgId}`, { as: admin });
    expect(got.body.name).toBe('Before');
  });

  it('refuses an organization create with such a name; the caller still has no organization', async () => {
    const someone = api.email('create-bytes');
    for (const headers of TYPES) {
      const res = await api.call('POST', '/api/v1/organizations', {
        as: someone,
        raw: bytes('{"name":"Caf\xe9 Ltd"}'), // Latin-1, not UTF-8
        ...(headers ? { headers } : {}),
      });
      refusedAsNotUtf8(res, JSON.stringify(headers));
    }
    const list = await api.call('GET', '/api/v1/organizations', { as: someone });
    expect(list.body.organizations).toEqual([]);
  });

  it('refuses a deployment whose configuration holds an encoded surrogate (\\xed\\xa0\\x80); none is created', async () => {
    const { admin, orgId } = await scene('config');
    for (const headers of TYPES) {
      const res = await api.call('POST', `/api/v1/organizations/${orgId}/deployments`, {
        as: admin,
        raw: bytes('{"name":"logs","configuration":{"note":"a\xed\xa0\x80b"}}'),
        ...(headers ? { headers } : {}),
      });
      refusedAsNotUtf8(res, JSON.stringify(headers));
      expect(res.body.errors[0].message).toContain('byte 0xED at offset');
    }
    const list = await api.call('GET', `/api/v1/organizations/${orgId}/deployments`, { as: admin });
    expect(list.body.deployments).toEqual([]);
  });

  it('refuses an invitation whose body is not UTF-8; none is created and no email is sent', async () => {
    const { admin, orgId } = await scene('invite');
    const invitee = api.email('invitee');
    for (const headers of TYPES) {
      const res = await api.call('POST', `/api/v1/organizations/${orgId}/invitations`, {
        as: admin,
        raw: bytes(`{"emails":["${invitee}"],"expires_in":"3d\x80"}`),
        ...(headers ? { headers } : {}),
      });
      refusedAsNotUtf8(res, JSON.stringify(headers));
    }
    const list = await api.call('GET', `/api/v1/organizations/${orgId}/invitations`, { as: admin });
    expect(list.body.invitations).toEqual([]);
    expect(await api.mailTo(invitee)).toEqual([]);
  });

  it('still takes UTF-8 bytes, with or without the JSON type', async () => {
    const { admin, orgId } = await scene('utf8');
    for (const [name, headers] of [
      ['Zürich AG', TYPES[0]],
      ['Café Ltd', TYPES[1]],
    ] as const) {
      const res = await api.call('PUT', `/api/v1/organizations/${orgId}`, {
        as: admin,
        raw: Buffer.from(JSON.stringify({ name })),
        ...(headers ? { headers } : {}),
      });
      expect([res.status, res.body.name]).toEqual([200, name]);
    }
  });
});

describe('control characters in names', () => {
  const injected = 'a\r\nBcc: evil@x.com';

  it('refuses creating an organization named "a\\r\\nBcc: evil@x.com": 400 root.invalid_data, nothing created', async () => {
    const someone = api.email('create-crlf');
    const res = await api.call('POST', '/api/v1/organizations', { as: someone, body: { name: injected } });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toEqual({
      code: 'root.invalid_data',
      message:
        'Invalid request body at name: contains a control character (U+000D) at position 2; use plain text on one line.',
      fields: ['name'],
    });
    const list = await api.call('GET', '/api/v1/organizations', { as: someone });
    expect(list.body.organizations).toEqual([]);
  });

  it('refuses such a rename, and a bidi override, and keeps the old name', async () => {
    const { admin, orgId } = await scene('rename-crlf');
    for (const name of [injected, 'Acme\u202Egnp.exe', 'Acme\u2028Ltd']) {
      const res = await api.call('PUT', `/api/v1/organizations/${orgId}`, { as: admin, body: { name } });
      expect([res.status, res.body.errors[0].code, res.body.errors[0].fields], name).toEqual([
        400,
        'root.invalid_data',
        ['name'],
      ]);
    }
    const got = await api.call('GET', `/api/v1/organizations/${orgId}`, { as: admin });
    expect(got.body.name).toBe('Before');
  });

  it('refuses a deployment named with a line break; none is created', async () => {
    const { admin, orgId } = await scene('deployment-crlf');
    const res = await api.call('POST', `/api/v1/organizations/${orgId}/deployments`, {
      as: admin,
      body: { name: 'logs\nprod' },
    });
    expect([res.status, res.body.errors[0].code, res.body.errors[0].fields]).toEqual([
      400,
      'root.invalid_data',
      ['name'],
    ]);
    const list = await api.call('GET', `/api/v1/organizations/${orgId}/deployments`, { as: admin });
    expect(list.body.deployments).toEqual([]);
  });
});

describe('numbers in a configuration', () => {
  it('refuses numbers that would not read back as sent (1e400, 1e-400, -0, 2^53 + 1); none is created', async () => {
    const { admin, orgId } = await scene('numbers');
    for (const [number, why] of [
      ['1e400', /beyond the range/],
      ['1e-400', /too small to store/],
      ['-0', /negative zero/],
      ['9007199254740993', /cannot hold exactly \(it would become 9007199254740992\)/],
    ] as const) {
      const res = await api.call('POST', `/api/v1/organizations/${orgId}/deployments`, {
        as: admin,
        raw: `{"name":"d","configuration":{"nested":{"a":${number}}}}`,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, number).toBe(400);
      expect(res.body.errors[0].code).toBe('root.invalid_json');
      expect(res.body.errors[0].message, number).toMatch(why);
      expect(res.body.errors[0].message).toContain(`in "a"`);
    }
    const list = await api.call('GET', `/api/v1/organizations/${orgId}/deployments`, { as: admin });
    expect(list.body.deployments).toEqual([]);
  });

  it('keeps numbers a double holds, in exponent form and at the edges, exactly', async () => {
    const { admin, orgId } = await scene('numbers-ok');
    const raw =
      '{"name":"d","configuration":{"a":1e300,"b":-1.5e-300,"c":0,"d":0.0e5,"e":9007199254740991,"f":2.5,"g":9007199254740992}}';
    const res = await api.call('POST', `/api/v1/organizations/${orgId}/deployments`, {
      as: admin,
      raw,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status, res.text).toBe(201);
    const got = await api.call('GET', `/api/v1/organizations/${orgId}/deployments/${res.body.id}`, {
      as: admin,
    });
    expect(got.body.configuration).toEqual({
      a: 1e300,
      b: -1.5e-300,
      c: 0,
      d: 0,
      e: 9007199254740991,
      f: 2.5,
      g: 2 ** 53,
    });
  });
});
