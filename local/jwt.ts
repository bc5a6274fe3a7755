/**
 * What the local identity provider (`local/oidc.ts`), the local gateway and the token tool share: the provider's
 * signing key (kept in .local/), the client ids, the API's audience, the stable user id of an address, and the
 * client side of the local-only "dev token" grant that `npm run token` and the tests use. Nothing here signs a
 * token: only the provider does.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

/** The API as a resource server: the `aud` of every access token the local provider issues for it. */
export const LOCAL_AUDIENCE = 'urn:org-membership:api';
/** The public client the invitation page (and the console) sign in with: authorization code + PKCE, no secret. */
export const WEB_CLIENT_ID = 'org-membership-web';
/** The local-only client of `npm run token` and the tests. */
export const DEV_TOOLS_CLIENT_ID = 'org-membership-dev-tools';
/** Local-only grant: "give me an access token for this address". Never offered by a real provider. */
export const DEV_GRANT_TYPE = 'urn:org-membership:local:grant-type:dev-token';
/** RS256, as API Gateway's JWT authorizer accepts only RSA signatures (and Cognito signs with RS256). */
export const SIGNING_ALG = 'RS256';
export const DEFAULT_KEY_FILE = '.local/oidc-signing-key.json';

type KeyLike = Awaited<ReturnType<typeof importJWK>>;
export interface SigningKey {
  /** The private JWK the provider publishes the public half of. */
  jwk: JWK;
  privateKey: KeyLike;
  publicKey: KeyLike;
}

export async function loadOrCreateSigningKey(file = DEFAULT_KEY_FILE): Promise<SigningKey> {
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true, modulusLength: 2048 });
    const jwk = await exportJWK(privateKey);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ ...jwk, alg: SIGNING_ALG, use: 'sig', kid: 'local-rs256' }), {
      mode: 0o600,
    });
  }
  const jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = jwk;
  return {
    jwk,
    privateKey: await importJWK(jwk, SIGNING_ALG),
    publicKey: await importJWK(publicJwk, SIGNING_ALG),
  };
}

/** A stable user id for an address, so the same person gets the same `sub` every time (and across restarts). */
export const localUserId = (email: string): string =>
  `local-${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 24)}`;

export interface TokenOptions {
  /** Another account with the same address (providers that let two accounts share one); default `localUserId`. */
  sub?: string;
  emailVerified?: boolean;
  name?: string;
  /** A duration such as `12h`, `30m`, `90s`; a negative one (`-1m`) gives a token that has already expired. */
  expiresIn?: string;
  /** Adds the `operators` group (`cognito:groups`), as a Cognito user pool would. */
  operator?: boolean;
}

/** `12h` → 43200; `-1m` → -60. Undefined for anything else. */
export function durationSeconds(text: string): number | undefined {
  const m = /^(-?\d{1,7})([smhd])$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

const tokenEndpoints = new Map<string, Promise<string>>();
async function tokenEndpoint(issuer: string): Promise<string> {
  let found = tokenEndpoints.get(issuer);
  if (!found) {
    found = fetch(`${issuer}/.well-known/openid-configuration`).then(async (res) => {
      if (!res.ok) throw new Error(`${issuer} has no discovery document (HTTP ${res.status})`);
      return ((await res.json()) as { token_endpoint: string }).token_endpoint;
    });
    found.catch(() => tokenEndpoints.delete(issuer));
    tokenEndpoints.set(issuer, found);
  }
  return found;
}

/**
 * Asks the local provider for an access token for `email` through the dev-token grant (a token request like any
 * other: the provider finds or creates the user and signs). Used by `npm run token` and `test/support/stack.ts`.
 */
export async function requestDevToken(
  issuer: string,
  email: string,
  opts: TokenOptions = {},
): Promise<string> {
  const body = new URLSearchParams({
    grant_type: DEV_GRANT_TYPE,
    client_id: DEV_TOOLS_CLIENT_ID,
    resource: LOCAL_AUDIENCE,
    email,
    email_verified: String(opts.emailVerified ?? true),
    ...(opts.sub ? { sub: opts.sub } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.operator ? { groups: 'operators' } : {}),
    ...(opts.expiresIn ? { expires_in: opts.expiresIn } : {}),
  });
  const res = await fetch(await tokenEndpoint(issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const answer = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!res.ok || !answer.access_token) {
    throw new Error(
      `The identity provider refused: ${answer.error_description ?? answer.error ?? res.status}`,
    );
  }
  return answer.access_token;
}
