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

  const federated = (userId: string, providerName = 'sso') =>
    JSON.stringify([{ userId, providerName, providerType: 'OIDC', issuer: null, primary: 'true' }]);

  it("a user the SSO bridge signed in gets sso_org and sso_sub, so the API sees the bridge's user id", async () => {
    const out = await handler(
      triggerEvent({
        sub: 'cognito-sub',
        email: 'ada@corp.example',
        email_verified: 'true',
        'custom:sso_org': 'org1',
        'custom:sso_sub': 'user-1',
        identities: federated('user-1'),
      }),
    );
    const claims = out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride;
    expect(claims).toMatchObject({ sso_org: 'org1', sso_sub: 'user-1' });
    const event = {
      requestContext: { authorizer: { jwt: { claims: { sub: 'cognito-sub', ...claims } } } },
    } as unknown as HttpEvent;
    expect(callerFrom(event)).toMatchObject({ userId: 'user-1', ssoOrg: 'org1' });
  });

  it.each([
    ['no identities (a password user who wrote the attributes on their own account)', undefined],
    ['another provider', federated('user-1', 'Google')],
    ['another subject than the one the bridge federated', federated('user-2')],
    ['identities that are not JSON', 'nope'],
  ])('no sso_org or sso_sub with %s', async (_, identities) => {
    const out = await handler(
      triggerEvent({
        sub: 'cognito-sub',
        email: 'eve@example.com',
        email_verified: 'true',
        'custom:sso_org': 'org1',
        'custom:sso_sub': 'user-1',
        ...(identities ? { identities } : {}),
      }),
    );
    const claims = out.response.claimsAndScopeOverrideDetails?.accessTokenGeneration?.claimsToAddOrOverride;
    expect(claims).not.toHaveProperty('sso_org');
    expect(claims).not.toHaveProperty('sso_sub');
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
