import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { handler as notFound } from '../../functions/api/handlers/not-found.ts';
import { ApiError } from '../../functions/shared/errors.ts';
import {
  authedRoute,
  authedRoutes,
  callerFrom,
  type HttpEvent,
  json,
  MAX_BODY_BYTES,
  publicRoute,
  toApiError,
} from '../../functions/shared/http.ts';
import { firstInvalidUtf8 } from '../../functions/shared/request-body.ts';
import * as z from '../../functions/shared/schema.ts';

const event = (over: Partial<HttpEvent> = {}, claims?: Record<string, string>): HttpEvent =>
  ({
    version: '2.0',
    routeKey: 'POST /x',
    rawPath: '/x',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      requestId: 'r1',
      http: { method: 'POST', path: '/x' },
      ...(claims ? { authorizer: { jwt: { claims } } } : {}),
    },
    ...over,
  }) as unknown as HttpEvent;

describe('callerFrom', () => {
  it('reads sub, email (normalised) and email_verified as API Gateway passes them', () => {
    // Prepare / Act
    const caller = callerFrom(event({}, { sub: 'u1', email: ' Alice@Example.COM ', email_verified: 'true' }));
    // Assess
    expect(caller).toEqual({ userId: 'u1', email: 'alice@example.com', emailVerified: true });
  });
  it('is undefined without sub or email', () => {
    expect(callerFrom(event({}, { email: 'a@b.c' }))).toBeUndefined();
    expect(callerFrom(event({}, { sub: 'u1' }))).toBeUndefined();
    expect(callerFrom(event())).toBeUndefined();
  });
});

describe('route wrappers', () => {
  const echo = authedRoute(async (req) => json(200, req.body(z.object({ n: z.number() }))));

  it('authedRoutes picks the handler by the route key, and signs in first', async () => {
    const routes = authedRoutes({
      'POST /x': async () => json(200, { picked: 'post' }),
      'GET /x': async () => json(200, { picked: 'get' }),
    });
    const claims = { sub: 'u1', email: 'a@example.com', email_verified: 'true' };
    const answer = async (e: HttpEvent) => {
      const res = (await routes(e)) as { statusCode: number; body: string };
      return { status: res.statusCode, body: JSON.parse(res.body) };
    };
    expect(await answer(event({}, claims))).toEqual({ status: 200, body: { picked: 'post' } });
    expect(await answer(event({ routeKey: 'GET /x' }, claims))).toEqual({
      status: 200,
      body: { picked: 'get' },
    });
    expect((await answer(event({ routeKey: 'PUT /x' }, claims))).status).toBe(404);
    expect((await answer(event())).status).toBe(401);
  });

  it.each([
    '\u212Aate@example.com',
    '\u00A0kate@example.com',
    'kate@example.com\u3000',
    `${'a'.repeat(65)}@example.com`,
  ])('answers 403 for an email claim that only looks like an ASCII address (%j), never folding it', async (email) => {
    const res = (await echo(event({ body: '{"n":1}' }, { sub: 'u1', email, email_verified: 'true' }))) as {
      statusCode: number;
      body: string;
    };
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body).errors[0].code).toBe('root.invalid_authentication');
  });

  it('refuses a protected route without claims: 401 root.unauthorized', async () => {
    const res = (await echo(event({ body: '{"n":1}' }))) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).errors[0].code).toBe('root.unauthorized');
  });

  it('maps bad JSON, wrong types and oversized bodies to 4xx with the error body', async () => {
    const claims = { sub: 'u1', email: 'a@b.co' };
    const bad = (await echo(event({ body: '{' }, claims))) as { statusCode: number; body: string };
    expect([bad.statusCode, JSON.parse(bad.body).errors[0].code]).toEqual([400, 'root.invalid_json']);
    const wrong = (await echo(event({ body: '{"n":"1"}' }, claims))) as { statusCode: number; body: string };
    expect(JSON.parse(wrong.body).errors[0]).toMatchObject({ code: 'root.invalid_data', fields: ['n'] });
    const big = (await echo(event({ body: `{"n":1,"p":"${'x'.repeat(MAX_BODY_BYTES)}"}` }, claims))) as {
      statusCode: number;
    };
    expect(big.statusCode).toBe(413);
  });

  it('refuses lone UTF-16 surrogates (escaped or raw, in keys and values) and __proto__ keys; accepts escaped pairs', async () => {
    const claims = { sub: 'u1', email: 'a@b.co' };
    const lax = authedRoute(async (req) => json(200, req.body(z.record(z.string(), z.unknown()))));
    for (const body of ['{"n":"\\ud800"}', '{"\\udc00":1}', '{"a":{"b":["x\\uDBFF"]}}', '{"n":"\ud800"}']) {
      const res = (await lax(event({ body }, claims))) as { statusCode: number; body: string };
      expect([res.statusCode, JSON.parse(res.body).errors[0].code], body).toEqual([400, 'root.invalid_json']);
    }
    const named = (await lax(event({ body: '{"name":"ok","note":"a\\ud800"}' }, claims))) as { body: string };
    expect(JSON.parse(named.body).errors[0]).toMatchObject({
      message: expect.stringContaining('in the value of "note"'),
      fields: ['note'],
    });
    for (const body of ['{"__proto__":{"admin":true}}', '{"a":[{"\\u005f_proto__":1}]}']) {
      const res = (await lax(event({ body }, claims))) as { statusCode: number; body: string };
      expect([res.statusCode, JSON.parse(res.body).errors[0].message], body).toEqual([
        400,
        expect.stringMatching(/__proto__/),
      ]);
    }
    const pair = (await lax(event({ body: '{"n":"\\ud83d\\ude00"}' }, claims))) as {
      statusCode: number;
      body: string;
    };
    expect([pair.statusCode, JSON.parse(pair.body)]).toEqual([200, { n: '😀' }]);
  });

  it('refuses bytes that are not UTF-8 with 400 root.invalid_json naming the byte, whichever way the gateway passed them', async () => {
    // Prepare
    const claims = { sub: 'u1', email: 'a@b.co' };
    const lax = authedRoute(async (req) => json(200, req.body(z.record(z.string(), z.unknown()))));
    const send = async (bytes: Buffer, type?: string) =>
      (await lax(
        event(
          {
            body: bytes.toString('base64'),
            isBase64Encoded: true,
            headers: type ? { 'content-type': type } : {},
          },
          claims,
        ),
      )) as { statusCode: number; body: string };
    const cases: [Buffer, string][] = [
      [Buffer.from('{"name":"A\xffB\xc0\x80"}', 'latin1'), 'byte 0xFF at offset 10'],
      [Buffer.from('{"c":{"k":"\xed\xa0\x80"}}', 'latin1'), 'byte 0xED at offset 11'], // an encoded surrogate
      [Buffer.from('{"n":"\xc0\xaf"}', 'latin1'), 'byte 0xC0 at offset 6'], // an overlong "/"
      [Buffer.from('{"n":"\xe2\x82', 'latin1'), 'byte 0xE2 at offset 6'], // cut inside a character
    ];
    for (const [bytes, where] of cases) {
      // Act
      const res = await send(bytes, 'application/json');
      // Assess
      expect([res.statusCode, JSON.parse(res.body).errors[0]], where).toEqual([
        400,
        {
          code: 'root.invalid_json',
          message: `The request body is not valid UTF-8 (${where}). Send JSON encoded as UTF-8.`,
        },
      ]);
    }
    const ok = await send(Buffer.from('{"n":"Zürich 😀"}'));
    expect([ok.statusCode, JSON.parse(ok.body)]).toEqual([200, { n: 'Zürich 😀' }]);
  });

  it('finds the first ill-formed UTF-8 sequence exactly where the strict decoder stops (property)', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const valid = (b: Uint8Array) => {
      try {
        strict.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    // Mostly text with stray bytes, so both valid and invalid sequences of every length come up.
    const bytes = fc
      .array(
        fc.oneof(
          fc.string({ unit: 'grapheme' }).map((s) => [...Buffer.from(s)]),
          fc.array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 4 }),
        ),
        { maxLength: 8 },
      )
      .map((parts) => Uint8Array.from(parts.flat()));
    fc.assert(
      fc.property(bytes, (b) => {
        const at = firstInvalidUtf8(b);
        expect(valid(b)).toBe(at === b.length);
        expect(valid(b.subarray(0, at))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('never leaks an unexpected error: 500 with a generic message', async () => {
    const boom = publicRoute(async () => {
      throw new Error('secret internals at /var/task/index.js:1');
    });
    const res = (await boom(event())) as { statusCode: number; body: string };
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret');
  });
});

describe('toApiError', () => {
  it('turns throttling into a retryable 429 and dependency failures into 503', () => {
    const throttled = toApiError(
      Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException' }),
    );
    expect([throttled.status, throttled.headers?.['retry-after']]).toEqual([429, '1']);
    const down = toApiError(
      Object.assign(new Error('x'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } }),
    );
    expect(down.status).toBe(503);
    const timeout = toApiError(Object.assign(new Error('socket hang up'), { name: 'Error' }));
    expect(timeout.status).toBe(503);
  });
  it('keeps ApiErrors as they are', () => {
    const e = new ApiError('organization.not_found', 'nope');
    expect(toApiError(e)).toBe(e);
  });
});

describe('the $default route (what API Gateway matched to no route)', () => {
  const call = async (method: string, rawPath: string) => {
    const res = (await notFound(
      event({
        rawPath,
        requestContext: { requestId: 'r', http: { method, path: rawPath } },
      } as Partial<HttpEvent>),
    )) as { statusCode: number; body: string; headers?: Record<string, string> };
    return { status: res.statusCode, error: JSON.parse(res.body).errors[0], allow: res.headers?.allow };
  };

  it('answers 405 with Allow when the path exists for other methods', async () => {
    expect(await call('PATCH', '/api/v1/organizations')).toMatchObject({
      status: 405,
      error: { code: 'root.method_not_allowed' },
      allow: 'POST, GET',
    });
  });

  it('answers 404, not "use GET", when the method exists but the path did not route (a malformed segment)', async () => {
    const res = await call('GET', '/api/v1/organizations/%ED%A0%80/invitations');
    expect(res).toMatchObject({ status: 404, error: { code: 'root.not_found' } });
  });
});
