/**
 * What API Gateway's JWT authorizer does, for the local gateway and the Lambda authorizer option (`handlers/authorizer.ts`): the issuer's discovery document gives the JWKS URI,
 * the keys come from there (cached, refetched for an unknown `kid`), and a token passes only with an RSA signature
 * by one of them, the configured issuer, an `aud` (or, without `aud`, a `client_id`) among the audiences, and
 * `exp` after, `nbf` and `iat` before now. Claims reach the handler as API Gateway passes them: every value a string.
 */
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

/** API Gateway: "Currently, only RSA-based algorithms are supported." */
const ALGORITHMS = ['RS256', 'RS384', 'RS512'];

export interface JwtAuthorizerConfig {
  issuer: string;
  audience: string[];
}

export type JwtAuthorizer = (token: string) => Promise<Record<string, string>>;

export function jwtAuthorizer(config: JwtAuthorizerConfig): JwtAuthorizer {
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  const keySet = () => {
    keys ??= fetch(`${config.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`)
      .then(async (res) => {
        if (!res.ok) throw new Error(`discovery answered ${res.status}`);
        const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
        if (doc.issuer !== config.issuer || !doc.jwks_uri)
          throw new Error('discovery document does not match');
        return createRemoteJWKSet(new URL(doc.jwks_uri));
      })
      .catch((e) => {
        keys = undefined; // try discovery again on the next request
        throw e;
      });
    return keys;
  };
  return async (token) => {
    const { payload } = await jwtVerify(token, await keySet(), {
      issuer: config.issuer,
      algorithms: ALGORITHMS,
      requiredClaims: ['exp'],
    });
    if (payload.aud !== undefined) {
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!aud.some((a) => config.audience.includes(a))) throw new Error('audience not allowed');
    } else if (typeof payload.client_id !== 'string' || !config.audience.includes(payload.client_id)) {
      throw new Error('client_id not allowed');
    }
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + 5)
      throw new Error('issued in the future');
    return stringifyClaims(payload);
  };
}

function stringifyClaims(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    out[k] = typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(' ')}]` : String(v);
  }
  return out;
}
