import { describe, expect, it } from 'vitest';
import { expirationMs } from '../../functions/api-keys/schemas.ts';
import { authorizer } from '../../functions/auth/handlers/authorizer.ts';
import {
  type ApiKeyItem,
  apiKeyClaims,
  hashSecret,
  keyRefusal,
  newApiKey,
  parseApiKey,
  secretMatches,
} from '../../functions/shared/api-key.ts';
import type { MembershipItem } from '../../functions/shared/domain.ts';
import { callerFrom, type HttpEvent } from '../../functions/shared/http.ts';
import { boundMembership, intersectRoles, withinRoles } from '../../functions/shared/key-roles.ts';

const ID = '0123456789abcdef0123456789abcdef';
const ORG = 'org1';
const admin = { organization: [{ role_id: 'organization-admin', organization_id: ORG }] };
const viewerAll = { deployment: [{ role_id: 'deployment-viewer', organization_id: ORG, all: true }] };
const viewerOf = (...ids: string[]) => ({
  deployment: [{ role_id: 'deployment-viewer', organization_id: ORG, deployment_ids: ids }],
});

const item = (over: Partial<ApiKeyItem> = {}): ApiKeyItem => ({
  entity: 'ApiKey',
  id: ID,
  user_id: 'u1',
  organization_id: ORG,
  email: 'a@example.com',
  description: 'ci',
  secret_hash: hashSecret('s'),
  role_assignments: viewerAll,
  created_at: '2026-01-01T00:00:00.000Z',
  expires_at: '2026-04-01T00:00:00.000Z',
  ...over,
});
const member = { organization_id: ORG, user_id: 'u1', role_assignments: admin, version: 3 } as MembershipItem;

describe('API key format and checks', () => {
  it('makes omk_<id>_<secret> with a 256-bit base64url secret, and parses only that from the ApiKey scheme', () => {
    const { key, secretHash } = newApiKey(ID);
    expect(key).toMatch(/^omk_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(`ApiKey ${key}`);
    expect(parsed?.id).toBe(ID);
    expect(secretMatches(parsed!.secret, secretHash)).toBe(true);
    expect(secretMatches(`${parsed!.secret.slice(0, -1)}x`, secretHash)).toBe(false);
    expect(secretHash).not.toContain(parsed!.secret);
    expect(parseApiKey(`apikey ${key}`)?.id).toBe(ID);
    for (const bad of [
      undefined,
      '',
      `Bearer ${key}`,
      `ApiKey ${key}x`,
      'ApiKey omk_x_y',
      `ApiKey ${key} more`,
    ])
      expect(parseApiKey(bad)).toBeUndefined();
  });

  it('refuses unknown, revoked, expired keys and keys whose creator left', () => {
    const now = new Date('2026-02-01T00:00:00Z');
    expect(keyRefusal(item(), member, now)).toBeUndefined();
    expect(keyRefusal(item({ expires_at: undefined }), member, new Date('2099-01-01'))).toBeUndefined();
    expect(keyRefusal(undefined, member, now)).toBe('unknown');
    expect(keyRefusal(item({ revoked_at: now.toISOString() }), member, now)).toBe('revoked');
    expect(keyRefusal(item(), member, new Date('2026-04-01T00:00:00Z'))).toBe('expired');
    expect(keyRefusal(item(), undefined, now)).toBe('creator_left');
  });

  it('reads expirations: 90 days by default, 1m to 365d, or never', () => {
    expect(expirationMs(undefined)).toBe(90 * 86_400_000);
    expect(expirationMs('12h')).toBe(12 * 3_600_000);
    expect(expirationMs('365d')).toBe(365 * 86_400_000);
    expect(expirationMs('never')).toBeNull();
    expect(expirationMs(null)).toBeNull();
    for (const bad of ['366d', '59s', '1w', '', '-1d', '1.5d']) expect(() => expirationMs(bad)).toThrow();
  });
});

describe("a key's roles as an upper bound", () => {
  it('allows a key only roles its creator holds (an organization-admin holds all)', () => {
    expect(withinRoles(viewerAll, admin)).toBe(true);
    expect(withinRoles(admin, viewerAll)).toBe(false);
    expect(withinRoles(viewerOf('d1'), viewerAll)).toBe(true);
    expect(withinRoles(viewerAll, viewerOf('d1'))).toBe(false);
    expect(withinRoles(viewerOf('d1', 'd2'), viewerOf('d1'))).toBe(false);
  });

  it('acts with what both the key and the creator allow now', () => {
    expect(intersectRoles(viewerAll, admin)).toEqual(viewerAll);
    expect(intersectRoles(admin, viewerOf('d1'))).toEqual(viewerOf('d1'));
    expect(intersectRoles(viewerOf('d1', 'd2'), viewerOf('d2', 'd3'))).toEqual(viewerOf('d2'));
    const caller = { userId: 'u1', email: 'a@example.com', emailVerified: false };
    const bounded = boundMembership(
      { ...caller, apiKey: { id: ID, organizationId: ORG, roles: viewerAll } },
      member,
    );
    expect(bounded).toMatchObject({ role_assignments: viewerAll, is_admin: false, version: 3 });
    expect(
      boundMembership({ ...caller, apiKey: { id: ID, organizationId: 'other', roles: admin } }, member),
    ).toBe(undefined);
    expect(boundMembership(caller, member)).toBe(member);
  });
});

describe('the Lambda authorizer and callerFrom', () => {
  const decide = authorizer({
    jwt: async (token) => {
      if (token !== 'good.jwt.token') throw new Error('bad signature');
      return { sub: 'u2', email: 'b@example.com', exp: String(Math.floor(Date.now() / 1000) + 60) };
    },
    apiKey: async (authorization) => (authorization.endsWith('good') ? apiKeyClaims(item()) : undefined),
  });

  it('accepts a valid bearer JWT or API key, nothing else', async () => {
    expect(await decide({ headers: { authorization: 'Bearer good.jwt.token' } })).toMatchObject({
      isAuthorized: true,
      context: { sub: 'u2' },
    });
    expect(await decide({ headers: { authorization: 'ApiKey omk_good' } })).toMatchObject({
      isAuthorized: true,
      context: { sub: 'u1', api_key_id: ID, email_verified: 'false' },
    });
    for (const authorization of ['Bearer bad', 'ApiKey omk_bad', 'Basic eDp5', ''])
      expect(await decide({ headers: { authorization } })).toEqual({ isAuthorized: false });
  });

  const lambdaEvent = (ctx: Record<string, string>) =>
    ({ requestContext: { authorizer: { lambda: ctx } } }) as unknown as HttpEvent;

  it("reads an API key's claims into the caller, never with groups, and a cached JWT only until its exp", () => {
    const caller = callerFrom(lambdaEvent({ ...apiKeyClaims(item()), 'cognito:groups': '[operators]' }));
    expect(caller).toEqual({
      userId: 'u1',
      email: 'a@example.com',
      emailVerified: false,
      apiKey: { id: ID, organizationId: ORG, roles: viewerAll },
    });
    const soon = String(Math.floor(Date.now() / 1000) + 60);
    const past = String(Math.floor(Date.now() / 1000) - 1);
    expect(callerFrom(lambdaEvent({ sub: 'u2', email: 'b@example.com', exp: soon }))?.userId).toBe('u2');
    expect(callerFrom(lambdaEvent({ sub: 'u2', email: 'b@example.com', exp: past }))).toBeUndefined();
  });
});
