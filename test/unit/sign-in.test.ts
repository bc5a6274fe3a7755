/** The two pieces of sign-in that are plain functions: Cognito's access-token claims and where sign-in may return. */
import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/auth/handlers/pre-token.ts';
import { callerFrom, type HttpEvent } from '../../functions/shared/http.ts';
import { safeReturnTo } from '../../web/return-to.ts';

const triggerEvent = (userAttributes: Record<string, string>) =>
  ({
    version: '2',
    triggerSource: 'TokenGeneration_HostedAuth',
    request: { userAttributes, groupConfiguration: {}, scopes: [] },
    response: {},
  }) as unknown as PreTokenGenerationV2TriggerEvent;

describe('the Cognito pre-token trigger', () => {
  it('puts email, email_verified and name in the access token, so the handlers see the same caller as locally', async () => {
    const out = await handler(
      triggerEvent({ sub: 'abc', email: 'Ada@Example.com', email_verified: 'true', name: 'Ada' }),
    );
    const claims = out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride;
    expect(claims).toEqual({ email: 'Ada@Example.com', email_verified: 'true', name: 'Ada' });
    const event = {
      requestContext: { authorizer: { jwt: { claims: { sub: 'abc', ...claims } } } },
    } as unknown as HttpEvent;
    expect(callerFrom(event)).toEqual({
      userId: 'abc',
      email: 'ada@example.com',
      emailVerified: true,
      name: 'Ada',
    });
  });

  it('an unverified address stays unverified', async () => {
    const out = await handler(triggerEvent({ sub: 'abc', email: 'bo@example.com', email_verified: 'false' }));
    expect(out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride).toEqual({
      email: 'bo@example.com',
      email_verified: 'false',
    });
  });
});

describe('where sign-in returns', () => {
  it.each([
    ['/invitations/abc', '/invitations/abc'],
    ['/console/?tab=members', '/console/?tab=members'],
    ['//evil.example.com/x', '/'],
    ['/\\evil.example.com', '/'],
    ['https://evil.example.com/', '/'],
    ['javascript:alert(1)', '/'],
    [undefined, '/'],
  ])('%s → %s', (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });
});
