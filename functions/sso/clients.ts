/** The SSO bridge's registered OpenID Connect clients, its issuer and its discovery document (`oidc.ts`). */
import { ENV } from '../shared/env-names.ts';

export interface BridgeClient {
  client_id: string;
  client_secret_sha256: string;
  redirect_uris: string[];
}

let clientsCached: BridgeClient[] | undefined;
/** The registered clients (`SSO_CLIENTS`, JSON); none when unset (then nobody can use the bridge). */
export function bridgeClients(): BridgeClient[] {
  if (!clientsCached) {
    const raw = process.env[ENV.ssoClients] ?? '';
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (
      !Array.isArray(parsed) ||
      !parsed.every(
        (c) =>
          typeof c?.client_id === 'string' &&
          typeof c?.client_secret_sha256 === 'string' &&
          Array.isArray(c?.redirect_uris),
      )
    ) {
      throw new Error(
        `${ENV.ssoClients} must be a JSON list of {client_id, client_secret_sha256, redirect_uris}`,
      );
    }
    clientsCached = parsed as BridgeClient[];
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
