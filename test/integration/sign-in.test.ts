/**
 * The local identity provider and the gateway's JWT check, as a user of them meets them: discovery and JWKS are
 * published, `npm run token` asks the provider, and the gateway refuses what API Gateway's JWT authorizer refuses
 * (another issuer, another audience, expired, `alg: none`, HS256 made with the public key, an unknown key).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, loadOrCreateSigningKey, localUserId, requestDevToken } from '../../local/jwt.ts';
import { type RunningOidc, startOidcProvider } from '../../local/oidc.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({ localOnly: "tests the local identity provider and the local gateway's token checks" });
let stranger: RunningOidc;

beforeAll(async () => {
  // Another provider, with its own key and issuer, that the gateway was not told to trust.
  stranger = await startOidcProvider({
    port: 0,
    key: await loadOrCreateSigningKey('.local/test-stranger-signing-key.json'),
    appOrigin: api.stack.apiUrl,
  });
});
afterAll(async () => {
  await stranger?.stop();
});

const orgs = (token: string) => api.call('GET', '/api/v1/organizations', { token });

describe('the local identity provider', () => {
  it('publishes discovery and an RSA JWKS, and offers authorization code with PKCE (S256) to the web client', async () => {
    const doc: any = await (await fetch(`${api.stack.issuer}/.well-known/openid-configuration`)).json();
    expect(doc.issuer).toBe(api.stack.issuer);
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.response_types_supported).toContain('code');
    const jwks: any = await (await fetch(doc.jwks_uri)).json();
    expect(jwks.keys.map((k: { kty: string; d?: string }) => [k.kty, k.d])).toEqual([['RSA', undefined]]);
  });

  it('issues access tokens for the API with the claims handlers read, and a stable sub per address', async () => {
    const who = api.email('claims');
    const token = await requestDevToken(api.stack.issuer, who, { name: 'Claire', operator: true });
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt', kid: api.stack.key.jwk.kid });
    expect(payload).toMatchObject({
      iss: api.stack.issuer,
      aud: LOCAL_AUDIENCE,
      sub: localUserId(who),
      email: who,
      email_verified: true,
      name: 'Claire',
      'cognito:groups': ['operators'],
    });
    expect((await orgs(token)).status).toBe(200);
  });

  it('`npm run token` asks the running provider and prints a token the API accepts', async () => {
    const who = api.email('cli');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'local/token.ts', who, '--issuer', api.stack.issuer, '--expires', '5m'],
      { encoding: 'utf8' },
    );
    const token = stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    expect((await orgs(token)).status).toBe(200);
    const refused = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'local/token.ts', 'not-an-address', '--issuer', api.stack.issuer],
      { encoding: 'utf8' },
    ).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage') });
  });
});

describe('the gateway checks tokens as API Gateway does', () => {
  const who = () => api.email('holder');
  const claims = () => ({ sub: localUserId(who()), email: who(), email_verified: true });
  const signed = async (
    key: Parameters<SignJWT['sign']>[0],
    alg: string,
    set: { iss?: string; aud?: string; exp?: number; kid?: string } = {},
  ) =>
    new SignJWT(claims())
      .setProtectedHeader({ alg, kid: set.kid ?? api.stack.key.jwk.kid! })
      .setIssuer(set.iss ?? api.stack.issuer)
      .setAudience(set.aud ?? LOCAL_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(set.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(key);

  it('accepts the provider’s own token (the control for every refusal below)', async () => {
    expect((await orgs(await api.token(who()))).status).toBe(200);
  });

  it.each([
    [
      'another issuer (a real provider the stack does not trust)',
      async () => requestDevToken(stranger.issuer, who()),
    ],
    [
      'another issuer claimed with the right key',
      async () => signed(api.stack.key.privateKey, 'RS256', { iss: 'https://evil.example.com' }),
    ],
    [
      'another audience',
      async () => signed(api.stack.key.privateKey, 'RS256', { aud: 'urn:someone-elses:api' }),
    ],
    ['expired (issued by the provider)', async () => api.token(who(), { expiresIn: '-1m' })],
    [
      'alg: none',
      async () => {
        const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
        const exp = Math.floor(Date.now() / 1000) + 600;
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims(), iss: api.stack.issuer, aud: LOCAL_AUDIENCE, exp })}.`;
      },
    ],
    [
      'HS256 with the public key as the secret',
      async () => {
        const { d: _d, ...pub } = api.stack.key.jwk;
        return signed(new TextEncoder().encode(JSON.stringify(pub)), 'HS256');
      },
    ],
    [
      'a key the provider never published',
      async () => signed((await generateKeyPair('RS256')).privateKey, 'RS256'),
    ],
    [
      'an EC signature (API Gateway accepts RSA only)',
      async () => signed((await generateKeyPair('ES256')).privateKey, 'ES256'),
    ],
  ])('refuses %s with 401', async (_what, make) => {
    const res = await orgs(await make());
    expect(res.status).toBe(401);
    expect(res.body.errors[0].code).toBe('root.unauthorized');
  });
});
