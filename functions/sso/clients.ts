/** The SSO bridge's registered OpenID Connect clients, its issuer and its discovery document (`oidc.ts`). */
import { createHash } from 'node:crypto';
import { ENV } from '../shared/env-names.ts';

export interface BridgeClient {
  client_id: string;
  client_secret_sha256: string;
  redirect_uris: string[];
}

/**
 * An entry of `SSO_CLIENTS`: the secret's SHA-256 (hex) when it is known ahead (the local provider), or the secret itself
 * (AWS: Cognito's client secret is generated in Secrets Manager and CloudFormation resolves a
 * `{{resolve:secretsmanager:…}}` dynamic reference into the bridge's environment at deploy time, so its hash cannot be
 * computed in the template). Reading it from Secrets Manager at cold start instead would need
 * `@aws-sdk/client-secrets-manager`, which is not a dependency; the environment is readable only by whoever may read the
 * function's configuration (`lambda:GetFunctionConfiguration`), and only the bridge's function has the entry.
 */
type ClientEntry = Omit<BridgeClient, 'client_secret_sha256'> &
  ({ client_secret_sha256: string } | { client_secret: string });

const isEntry = (c: unknown): c is ClientEntry => {
  const e = c as Record<string, unknown> | null;
  return (
    typeof e?.client_id === 'string' &&
    (typeof e.client_secret_sha256 === 'string' || typeof e.client_secret === 'string') &&
    Array.isArray(e.redirect_uris)
  );
};

let clientsCached: BridgeClient[] | undefined;
/** The registered clients (`SSO_CLIENTS`, JSON); none when unset (then nobody can use the bridge). */
export function bridgeClients(): BridgeClient[] {
  if (!clientsCached) {
    const raw = process.env[ENV.ssoClients] ?? '';
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(parsed) || !parsed.every(isEntry)) {
      throw new Error(
        `${ENV.ssoClients} must be a JSON list of {client_id, client_secret_sha256 or client_secret, redirect_uris}`,
      );
    }
    // Only the hash is kept: the bridge compares hashes (`oidc.ts`), whichever form the entry came in.
    clientsCached = parsed.map((c) => ({
      client_id: c.client_id,
      client_secret_sha256:
        'client_secret_sha256' in c
          ? c.client_secret_sha256
          : createHash('sha256').update(c.client_secret).digest('hex'),
      redirect_uris: c.redirect_uris,
    }));
  }
  return clientsCached;
}

export const bridgeIssuer = (publicBaseUrl: string): string => `${publicBaseUrl}/api/v1/sso`;

export function discovery(publicBaseUrl: string) {
  const issuer = bridgeIssuer(publicBaseUrl);
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/jwks.json`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'email', 'profile'],
    claims_supported: ['sub', 'email', 'email_verified', 'name', 'sso_org', 'groups', 'nonce'],
  };
}
