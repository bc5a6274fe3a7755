/**
 * Cognito's pre-token-generation trigger (event version 2): copies the address, whether it is verified, and the name
 * into the access token, the token the API receives. Cognito puts them only in the ID token by default, and the
 * handlers read them from the access token's claims (`functions/shared/http.ts`), as with any other provider.
 *
 * A user who signed in through the SSO bridge (the pool's OpenID Connect identity provider `sso`) also gets `sso_org`
 * and `sso_sub` (`custom:sso_org`, `custom:sso_sub`, mapped from the bridge's claims at every such sign-in).
 */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';

/** The pool's identity provider name for the SSO bridge (`infra/constructs/identity.ts`). */
export const SSO_PROVIDER_NAME = 'sso';

/**
 * The bridge's subject when this user is the pool's federated user of the `sso` provider (Cognito's `identities`
 * attribute, which nobody can write): Cognito must let the app client write the mapped attributes, so a user with a
 * password could set `custom:sso_*` on their own account; only a user the bridge created gets them into a token.
 */
function ssoSubject(identities: string | undefined): string | undefined {
  if (!identities) return undefined;
  try {
    const list: unknown = JSON.parse(identities);
    if (!Array.isArray(list)) return undefined;
    const sso = list.find((i) => i?.providerName === SSO_PROVIDER_NAME && typeof i?.userId === 'string');
    return sso?.userId;
  } catch {
    return undefined;
  }
}

export const handler = async (
  event: PreTokenGenerationV2TriggerEvent,
): Promise<PreTokenGenerationV2TriggerEvent> => {
  const attrs = event.request.userAttributes;
  const claims: Record<string, string> = {};
  if (attrs.email) claims.email = attrs.email;
  // A string, as API Gateway hands every claim to the handlers anyway.
  claims.email_verified = attrs.email_verified === 'true' ? 'true' : 'false';
  if (attrs.name) claims.name = attrs.name;
  const ssoOrg = attrs['custom:sso_org'];
  const ssoSub = attrs['custom:sso_sub'];
  if (ssoOrg && ssoSub && ssoSubject(attrs.identities) === ssoSub) {
    claims.sso_org = ssoOrg;
    claims.sso_sub = ssoSub;
  }
  event.response = {
    claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: claims } },
  };
  return event;
};
