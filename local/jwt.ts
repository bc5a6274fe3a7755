/**
 * Local stand-in for the identity provider: an ES256 key kept in .local/, tokens signed with it, and the
 * verification API Gateway's JWT authorizer does (signature, issuer, audience, expiry, algorithm).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';

export const LOCAL_ISSUER = 'urn:org-membership:local-issuer';
export const LOCAL_AUDIENCE = 'org-membership-local';
export const DEFAULT_KEY_FILE = '.local/dev-jwt-key.json';

type KeyLike = Awaited<ReturnType<typeof importJWK>>;
export interface DevKeys {
  privateKey: KeyLike;
  publicKey: KeyLike;
}

export async function loadOrCreateDevKeys(file = DEFAULT_KEY_FILE): Promise<DevKeys> {
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...jwk, alg: 'ES256', kid: 'local-dev' }), { mode: 0o600 });
  }
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { d: _d, ...publicJwk } = jwk;
  return {
    privateKey: await importJWK(jwk, 'ES256'),
    publicKey: await importJWK(publicJwk, 'ES256'),
  };
}

/** A stable user id for an address, so the same person gets the same `sub` every time. */
export const localUserId = (email: string): string =>
  `local-${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 24)}`;

export interface TokenOptions {
  sub?: string;
  emailVerified?: boolean;
  name?: string;
  expiresIn?: string;
  /** Adds the `operators` group (`cognito:groups`), as a Cognito user pool would. */
  operator?: boolean;
}

export async function signDevToken(keys: DevKeys, email: string, opts: TokenOptions = {}): Promise<string> {
  return new SignJWT({
    email,
    email_verified: opts.emailVerified ?? true,
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.operator ? { 'cognito:groups': ['operators'] } : {}),
  })
    .setProtectedHeader({ alg: 'ES256', kid: 'local-dev' })
    .setSubject(opts.sub ?? localUserId(email))
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '12h')
    .sign(keys.privateKey);
}

/** Claims as API Gateway passes them to Lambda: every value a string. */
export async function verifyDevToken(keys: DevKeys, token: string): Promise<Record<string, string>> {
  const { payload } = await jwtVerify(token, keys.publicKey, {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    algorithms: ['ES256'],
  });
  return stringifyClaims(payload);
}

function stringifyClaims(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    out[k] = typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(' ')}]` : String(v);
  }
  return out;
}
