/**
 * Cognito's pre-token-generation trigger (event version 2): copies the address, whether it is verified, and the name
 * into the access token, the token the API receives. Cognito puts them only in the ID token by default, and the
 * handlers read them from the access token's claims (`functions/shared/http.ts`), as with any other provider.
 */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';

export const handler = async (
  event: PreTokenGenerationV2TriggerEvent,
): Promise<PreTokenGenerationV2TriggerEvent> => {
  const attrs = event.request.userAttributes;
  const claims: Record<string, string> = {};
  if (attrs.email) claims.email = attrs.email;
  // A string, as API Gateway hands every claim to the handlers anyway.
  claims.email_verified = attrs.email_verified === 'true' ? 'true' : 'false';
  if (attrs.name) claims.name = attrs.name;
  event.response = {
    claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: claims } },
  };
  return event;
};
