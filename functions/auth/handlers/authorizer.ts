/**
 * The API's Lambda REQUEST authorizer (the CDK option `-c authorizer=lambda`; the default stays API Gateway's JWT
 * authorizer, which takes no API keys): `Authorization: Bearer <JWT>` is verified as the JWT authorizer does
 * (`auth/jwt.ts`: the issuer's JWKS, RSA, issuer, audience, times); `Authorization: ApiKey <key>` by its item (hash,
 * not revoked, not expired, creator still a member: `shared/api-key.ts`). Simple responses (payload 2.0): the claims go
 * to the handlers as `requestContext.authorizer.lambda`, every value a string, as `callerFrom` reads them.
 *
 * API Gateway caches a yes for 300 s by the Authorization header. That keeps the JWT path near the JWT authorizer's cost
 * (one invocation per token per 5 minutes), and a key's state is not left to the cache: every handler reads the key
 * again (`confirmApiKey` in `shared/http.ts`), so a key revoked or expired is refused at once; the handlers also
 * refuse a JWT past its `exp` (a cached yes may outlive it).
 */

import { verifyApiKey } from '../../shared/api-key.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { ENV } from '../../shared/env-names.ts';
import { log } from '../../shared/log.ts';
import { jwtAuthorizer } from '../jwt.ts';

export interface AuthorizerEvent {
  type?: string;
  routeArn?: string;
  identitySource?: string[];
  headers?: Record<string, string | undefined>;
}
export interface AuthorizerResult {
  isAuthorized: boolean;
  context?: Record<string, string>;
}

type Verify = (authorization: string) => Promise<Record<string, string> | undefined>;

/** The decision, with its checks passed in (tests give their own). */
export function authorizer(checks: {
  jwt: (token: string) => Promise<Record<string, string>>;
  apiKey: Verify;
}) {
  return async (event: AuthorizerEvent): Promise<AuthorizerResult> => {
    const authorization = event.headers?.authorization ?? event.identitySource?.[0] ?? '';
    try {
      const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      const claims = bearer
        ? await checks.jwt(bearer)
        : /^ApiKey\s/i.test(authorization)
          ? await checks.apiKey(authorization)
          : undefined;
      return claims ? { isAuthorized: true, context: claims } : { isAuthorized: false };
    } catch (e) {
      // Which check failed, never the credential.
      log('info', 'authorization refused', { error: (e as Error)?.name });
      return { isAuthorized: false };
    }
  };
}

let cached: ReturnType<typeof authorizer> | undefined;
export const handler = (event: AuthorizerEvent): Promise<AuthorizerResult> => {
  cached ??= authorizer({
    jwt: jwtAuthorizer({
      issuer: process.env[ENV.oidcIssuer] ?? '',
      audience: (process.env[ENV.jwtAudience] ?? '').split(',').filter(Boolean),
    }),
    apiKey: (authorization) => verifyApiKey(defaultDeps(), authorization),
  });
  return cached(event);
};
