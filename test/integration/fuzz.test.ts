/**
 * Bad input, property-based (fast-check): random and adversarial tokens, paths, query strings and bodies against every
 * route through the local gateway. Whatever arrives, the answer is never a 5xx; a refusal is a 4xx with the API's error
 * body and leaves the table exactly as it was.
 */
import fc from 'fast-check';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteDef } from '../../functions/routes.ts';
import { dynamo } from '../../functions/shared/clients.ts';
import { scanAll } from '../../functions/shared/invariants.ts';
import { LOCAL_AUDIENCE, localUserId, SIGNING_ALG } from '../../local/jwt.ts';
import { createDeployment, invite, orgWithAdmin, raiseBill, tokenFromMail } from '../support/factories.ts';
import { type ApiResponse, useStack } from '../support/stack.ts';

const api = useStack({
  localOnly: "forges tokens with the local provider's signing key and compares the whole table byte for byte",
});
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const tried = { requests: 0, refused: 0, slowest: { ms: 0, what: '' } };

/** The whole table, canonically: a refused request must leave it byte for byte the same. */
async function snapshot(): Promise<string> {
  const items = await scanAll(dynamo, api.stack.tableName);
  return items
    .map((i) => JSON.stringify(i, Object.keys(i).sort()))
    .sort()
    .join('\n');
}

function expectErrorBody(res: ApiResponse, context: string) {
  expect(res.status, context).toBeGreaterThanOrEqual(400);
  expect(res.status, context).toBeLessThan(500);
  if (res.headers.get('content-type')?.includes('text/html')) return; // the pages (invitation, SSO) answer in HTML
  if (res.headers.get('content-type')?.includes('application/scim+json')) {
    // SCIM answers in its own error format (RFC 7644, 3.12): what the IdP shows its admin.
    expect(res.body, context).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(res.status),
      detail: expect.any(String),
    });
    return;
  }
  expect(res.body?.errors?.[0], context).toMatchObject({
    code: expect.any(String),
    message: expect.any(String),
  });
  expect(res.text, context).not.toMatch(/\bat \S+\.(ts|js):\d+/); // no stack traces
}

let scene: {
  orgId: string;
  admin: string;
  member: string;
  deploymentId: string;
  billId: string;
  token: string;
  outsider: string;
};
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
let badTokens: string[] = [];

beforeAll(async () => {
  const org = await orgWithAdmin(api, 'fuzz');
  const member = api.email('fuzz-member');
  await invite(api, org, [member]);
  const accepted = await api.call(
    'POST',
    `/api/v1/organizations/invitations/${await tokenFromMail(api, member)}/_accept`,
    { as: member },
  );
  expect(accepted.status).toBe(200);
  await invite(api, org, [api.email('fuzz-pending')]);
  const outsider = api.email('fuzz-outsider');
  // Seen once, so later refused requests have nothing left to create for them.
  expect((await api.call('GET', '/api/v1/organizations', { as: outsider })).status).toBe(200);
  scene = {
    orgId: org.orgId,
    admin: org.admin,
    member,
    deploymentId: await createDeployment(api, org.orgId, org.admin),
    billId: await raiseBill(api, org.orgId),
    token: await tokenFromMail(api, api.email('fuzz-pending')),
    outsider,
  };

  const claims = { sub: localUserId(org.admin), email: org.admin, email_verified: true };
  const now = Math.floor(Date.now() / 1000);
  const valid = await api.token(org.admin);
  const [h, , s] = valid.split('.');
  // Forgeries the gateway must refuse, signed here on purpose: the provider's own key with a wrong claim, another
  // key, and the public key as an HMAC secret. The provider itself never issues any of these.
  const issuer = api.stack.issuer;
  const kid = api.stack.key.jwk.kid!;
  const other = await generateKeyPair(SIGNING_ALG);
  const { d: _d, ...publicJwk } = api.stack.key.jwk;
  const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
  const signed = (
    key: Parameters<SignJWT['sign']>[0],
    alg: string,
    extra: { iss?: string; aud?: string } = {},
  ) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg, kid })
      .setIssuer(extra.iss ?? issuer)
      .setAudience(extra.aud ?? LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(now + 3600)
      .sign(key);
  badTokens = [
    '',
    'not-a-jwt',
    `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iss: issuer, aud: LOCAL_AUDIENCE, exp: now + 3600 })}.`,
    `${h}.${b64({ ...claims, sub: 'someone-else', iss: issuer, aud: LOCAL_AUDIENCE, exp: now + 3600 })}.${s}`,
    await signed(other.privateKey, SIGNING_ALG),
    await signed(secret, 'HS256'), // algorithm confusion: the public key used as an HMAC secret
    await api.token(org.admin, { expiresIn: '-1h' }), // issued by the provider, expired an hour ago
    await signed(api.stack.key.privateKey, SIGNING_ALG, { aud: 'someone-elses-api' }),
    await signed(api.stack.key.privateKey, SIGNING_ALG, { iss: 'https://evil.example.com' }),
  ];
});

afterAll(() => {
  console.log(
    `fuzz: ${tried.requests} requests, ${tried.refused} refused with a 4xx, 0 answered 5xx; ` +
      `slowest ${Math.round(tried.slowest.ms)} ms (${tried.slowest.what})`,
  );
});

// ---- arbitraries -----------------------------------------------------------------------------------------------
const homoglyphEmail = fc.constantFrom(
  'аdmin@example.com', // Cyrillic а
  'admin@exаmple.com',
  'ad\u200bmin@example.com', // zero-width space
  'admin@example.com\u0000',
  'ＡＤＭＩＮ@example.com', // full-width
  'admin@xn--exmple-cua.com',
  '"admin"@example.com',
  'admin@@example.com',
  `${'a'.repeat(65)}@example.com`,
  'admin@example',
);
// Half of a surrogate pair alone: JSON can escape it ("\ud800"), but it is not text and DynamoDB cannot store it.
const loneSurrogate = fc
  .tuple(fc.string({ maxLength: 5 }), fc.integer({ min: 0xd800, max: 0xdfff }))
  .map(([s, c]) => `${s}${String.fromCharCode(c)}`);
const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  loneSurrogate,
  fc.string({ unit: 'binary', maxLength: 40 }),
  homoglyphEmail,
  fc.constantFrom(
    '__proto__',
    'constructor',
    '../../etc/passwd',
    '..%2F..',
    '%00',
    '\u202e',
    'ORG#x',
    'USER#x',
  ),
  fc.string({ minLength: 300, maxLength: 2000 }),
);
const evilObject = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'emails', 'name', 'role_assignments'),
      weirdString,
    ),
    fc.jsonValue({ maxDepth: 4 }),
  )
  .map((o) => JSON.stringify(o).replace('"prototype"', '"__proto__"'));
const body = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
  evilObject,
  fc
    .record({ emails: fc.oneof(homoglyphEmail, fc.array(homoglyphEmail, { maxLength: 5 }), fc.jsonValue()) })
    .map((v) => JSON.stringify(v)),
  fc
    .record({
      name: fc.oneof(fc.jsonValue(), weirdString),
      configuration: fc.oneof(fc.jsonValue(), fc.dictionary(weirdString, fc.jsonValue({ maxDepth: 3 }))),
    })
    .map((v) => JSON.stringify(v)),
  fc.record({ organization: fc.jsonValue(), deployment: fc.jsonValue() }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }), // not JSON at all
  fc.integer({ min: 1, max: 20_000 }).map((d) => `${'['.repeat(d)}${']'.repeat(d)}`), // deep nesting
);
const query = fc.option(
  fc.record({
    size: fc.oneof(fc.integer().map(String), weirdString),
    next: fc.oneof(weirdString, fc.base64String({ maxLength: 200 })),
    include: weirdString,
  }),
  { nil: undefined },
);

const realParam = (name: string): string =>
  ({
    organization_id: scene.orgId,
    user_id: localUserId(scene.member),
    user_ids: localUserId(scene.member),
    invitation_token: scene.token,
    invitation_tokens: scene.token,
    token: scene.token,
    deployment_id: scene.deploymentId,
    bill_id: scene.billId,
  })[name] ?? 'x';

/** A lone surrogate cannot be percent-encoded; a client would send its bytes anyway (%ED%A0%80, not UTF-8). */
const encodeSegment = (v: string) =>
  v.isWellFormed()
    ? encodeURIComponent(v)
    : encodeURIComponent(v.toWellFormed()).replaceAll('%EF%BF%BD', '%ED%A0%80');

function pathFor(route: RouteDef, params: Record<string, string | undefined>, q?: Record<string, string>) {
  const path = route.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeSegment(params[n] ?? realParam(n)));
  return q ? `${path}?${new URLSearchParams(q)}` : path;
}
const paramValues = fc.dictionary(
  fc.constantFrom(
    'organization_id',
    'user_id',
    'user_ids',
    'invitation_token',
    'invitation_tokens',
    'token',
    'deployment_id',
    'project_id',
    'bill_id',
    'repository_id',
    'migration_id',
  ),
  weirdString,
);
// An empty segment matches no route, and `.`/`..` are resolved away by every client (fetch, curl) before sending:
// either is a 404 whoever asks, so the token tests give those a real value.
const nonEmptyParams = paramValues.map((p) =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v === '' || v === '.' || v === '..' ? 'x' : v])),
);
const authed = (ROUTES as readonly RouteDef[]).filter((r) => r.auth);

async function send(route: RouteDef, path: string, token: string | undefined, raw?: string) {
  tried.requests++;
  const started = performance.now();
  const res = await api.call(route.method, path, {
    ...(token ? { token } : {}),
    ...(raw !== undefined && route.method !== 'GET'
      ? { raw, headers: { 'content-type': 'application/json' } }
      : {}),
  });
  expect(res.status, `${route.method} ${path}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400) tried.refused++;
  const ms = performance.now() - started;
  if (ms > tried.slowest.ms) tried.slowest = { ms, what: `${route.method} ${route.path} -> ${res.status}` };
  if (res.headers.get('content-type')?.includes('application/json') && res.status !== 401) {
    // What the handlers answer (the authorizer's 401 is API Gateway's own): never cached (but the public documents
    // below), never sniffed.
    // The API document and the SSO bridge's public keys (JWKS), the same for everyone.
    const cacheable =
      (route.handler === 'openapi/handlers/get' || route.path === '/api/v1/sso/jwks.json') &&
      res.status === 200;
    expect(res.headers.get('cache-control')).toBe(cacheable ? 'public, max-age=300' : 'no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  }
  return res;
}

// Each property sends RUNS requests with two whole-table scans around each: about 2 s alone, but a CI run with the
// browser suites beside it once took over the default 30 s. The report after the file names the slowest request.
describe('bad input never gets a 5xx, and a refusal writes nothing', { timeout: 120_000 }, () => {
  it('forged, expired, alg:none, wrong-key, wrong-audience and missing tokens get 401 on every protected route', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...authed),
        fc.nat(),
        nonEmptyParams, // an empty segment matches no route: that is a 404 whoever asks
        body,
        async (route, which, params, raw) => {
          const before = await snapshot();
          const res = await send(
            route,
            pathFor(route, params),
            badTokens[which % badTokens.length] || undefined,
            raw,
          );
          expect(res.status).toBe(401);
          expectErrorBody(res, route.path);
          expect(await snapshot()).toBe(before);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("another user's valid token reaches nothing of this organization, whatever the ids and bodies", async () => {
    const targeted = authed.filter((r) =>
      /\{(organization_id|user_id|user_ids|invitation_tokens)\}/.test(r.path),
    );
    const token = await api.token(scene.outsider);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targeted),
        fc.option(paramValues),
        body,
        query,
        async (route, params, raw, q) => {
          const before = await snapshot();
          const res = await send(route, pathFor(route, params ?? {}, q), token, raw);
          expectErrorBody(res, `${route.method} ${route.path}`);
          expect(await snapshot()).toBe(before);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("the organization's own admin sending adversarial bodies, paths and queries gets a 4xx that writes nothing, or a valid answer", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...authed),
        fc.option(paramValues),
        body,
        query,
        async (route, params, raw, q) => {
          const before = await snapshot();
          const res = await send(route, pathFor(route, params ?? {}, q), await api.token(scene.admin), raw);
          if (res.status >= 400) {
            expectErrorBody(res, `${route.method} ${route.path}`);
            expect(await snapshot(), `${route.method} ${route.path} ${res.text}`).toBe(before);
          }
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.getPrototypeOf({})).toBe(Object.prototype);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a deployment or project configuration is stored exactly as sent, or refused with a 4xx that writes nothing', async () => {
    // What DynamoDB itself cannot hold (empty keys, deep nesting, numbers out of its range, lone surrogates) must be
    // refused at the edge, never a 5xx; what is accepted must read back unchanged. Mostly valid documents, each with
    // at most one flaw somewhere inside, so that one flaw is what the service has to notice.
    const key = fc.string({
      minLength: 1,
      maxLength: 12,
      unit: fc.oneof(
        fc.constantFrom('a', '.', '#', ' '),
        fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
      ),
    });
    const leaf = fc.oneof(
      fc.double({ min: -1e15, max: 1e15, noNaN: true }).filter((n) => n === 0 || Math.abs(n) > 1e-120),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.string({ maxLength: 20, unit: 'binary' }),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('tree'), { maxLength: 4 }),
        fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
      ),
    }));
    const badNumber = fc.constantFrom(1e-131, 2 ** 53, 1e126, 5e-324, Number.MAX_VALUE, -1e200);
    const edgeNumber = fc.constantFrom(1e-130, -1e-130, 0, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER);
    const flaw = fc.oneof(
      fc.record({ k: fc.constant(''), v: leaf }),
      fc.record({ k: loneSurrogate, v: leaf }),
      fc.record({ k: key, v: fc.oneof(loneSurrogate, badNumber, edgeNumber) }),
      fc.record({
        k: key,
        v: fc.integer({ min: 25, max: 40 }).map((d) => JSON.parse(`${'{"a":'.repeat(d)}1${'}'.repeat(d)}`)),
      }),
    );
    const configuration = fc
      .tuple(fc.dictionary(key, tree, { maxKeys: 6 }), fc.option(flaw, { freq: 2 }), key)
      .map(([doc, f, at]) => (f ? { ...doc, [at]: { [f.k]: f.v } } : doc));
    const token = await api.token(scene.admin);
    const createRoute = (kind: string) =>
      authed.find((r) => r.method === 'POST' && r.path.endsWith(`/organizations/{organization_id}/${kind}`))!;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('deployments', 'projects'),
        fc.oneof({ weight: 4, arbitrary: fc.constant('fuzzed') }, { weight: 1, arbitrary: weirdString }),
        configuration,
        async (kind, name, configuration) => {
          const before = await snapshot();
          const raw = JSON.stringify({
            name,
            configuration,
            ...(kind === 'projects' ? { type: 'security' } : {}),
          });
          const route = createRoute(kind);
          const res = await send(route, `/api/v1/organizations/${scene.orgId}/${kind}`, token, raw);
          if (res.status >= 400) {
            expectErrorBody(res, raw.slice(0, 200));
            expect(await snapshot(), raw.slice(0, 200)).toBe(before);
            return;
          }
          expect(res.status).toBe(201);
          const read = await api.call('GET', `/api/v1/organizations/${scene.orgId}/${kind}/${res.body.id}`, {
            token,
          });
          expect(read.status).toBe(200);
          expect(read.body.name).toBe(name.trim()); // names are trimmed; nothing else changes
          expect(read.body.configuration).toEqual(JSON.parse(JSON.stringify(configuration)));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('odd headers (malformed Authorization, wrong content types and encodings, junk) get a 4xx or a valid answer', async () => {
    const valid = await api.token(scene.admin);
    const printable = fc.string({
      maxLength: 200,
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    });
    const authorization = fc.oneof(
      { weight: 3, arbitrary: fc.constant(`Bearer ${valid}`) },
      fc.constantFrom(
        `bearer ${valid}`,
        `Bearer  ${valid}`,
        `Bearer ${valid} extra`,
        `Bearer ${valid},Bearer ${valid}`,
        `Basic ${Buffer.from('admin:admin').toString('base64')}`,
        valid,
        'Bearer',
        `Bearer ${valid.split('.').slice(0, 2).join('.')}`,
        `Bearer ${valid}.`,
      ),
      printable,
    );
    const headers = fc.record(
      {
        authorization,
        'content-type': fc.oneof(
          fc.constantFrom(
            'text/plain',
            'application/json; charset=utf-16',
            'multipart/form-data; boundary=x',
            'application/x-www-form-urlencoded',
            '',
          ),
          printable,
        ),
        'content-encoding': fc.constantFrom('gzip', 'br', 'identity', 'x'),
        accept: fc.oneof(fc.constantFrom('text/html', '*/*', 'application/xml'), printable),
        'x-forwarded-for': printable,
        'x-amzn-trace-id': printable,
        'x-junk': fc.string({
          minLength: 1000,
          maxLength: 8000,
          unit: fc.constantFrom('a', ' ', '='),
        }),
      },
      { requiredKeys: ['authorization'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...authed), headers, body, async (route, extra, raw) => {
        const before = await snapshot();
        const path = pathFor(route, {});
        tried.requests++;
        const res = await api.call(route.method, path, {
          headers: extra as Record<string, string>,
          ...(route.method !== 'GET' ? { raw } : {}),
        });
        expect(
          res.status,
          `${route.method} ${path} ${JSON.stringify(extra).slice(0, 300)}: ${res.text.slice(0, 300)}`,
        ).toBeLessThan(500);
        if (res.status >= 400) {
          tried.refused++;
          expectErrorBody(res, `${route.method} ${route.path}`);
          expect(await snapshot()).toBe(before);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('public routes (invitation lookup, page, health, API document, sign-in redirect, scripts, the SSO bridge, SCIM) never fail on random input', async () => {
    // Not the IdP's login link: it only redirects to the console (a client follows it to the console's page);
    // sso.test.ts checks where it leads.
    const open = (ROUTES as readonly RouteDef[]).filter(
      (r) => !r.auth && r.path !== '/api/v1/saml/login/{login_identifier}',
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...open), paramValues, async (route, params) => {
        const before = await snapshot();
        const res = await send(
          route,
          pathFor(route, { token: 'x', invitation_token: 'x', ...params }),
          undefined,
        );
        // Health, the API document, the sign-in redirect page and the SSO bridge's discovery and keys answer 200
        // whatever they are sent; the others refuse.
        const always = [
          '/api/v1/health',
          '/api/v1/openapi.json',
          '/auth/callback',
          '/api/v1/sso/.well-known/openid-configuration',
          '/api/v1/sso/jwks.json',
        ];
        if (always.includes(route.path)) expect(res.status).toBe(200);
        else expectErrorBody(res, route.path);
        expect(await snapshot()).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('bodies over the limit get 413, malformed JSON 400, deep JSON no crash, and nothing is written', async () => {
    const path = `/api/v1/organizations/${scene.orgId}/invitations`;
    const token = await api.token(scene.admin);
    const before = await snapshot();
    const cases: [string, number][] = [
      [JSON.stringify({ emails: ['a@example.com'], pad: 'x'.repeat(70 * 1024) }), 413],
      ['x'.repeat(11 * 1024 * 1024), 413],
      ['{"emails": [', 400],
      [`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 400],
      [`${'['.repeat(30_000)}${']'.repeat(30_000)}`, 400],
      ['{"emails": ["a@example.com"], "emails": 5}', 400],
    ];
    for (const [raw, status] of cases) {
      tried.requests++;
      const res = await api.call('POST', path, {
        token,
        raw,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status, raw.slice(0, 40)).toBe(status);
      expectErrorBody(res, raw.slice(0, 40));
      tried.refused++;
    }
    expect(await snapshot()).toBe(before);
  });
});
