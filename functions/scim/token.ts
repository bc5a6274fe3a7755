/**
 * An organization's SCIM bearer token: `scim_<organization id>_<secret>`, so the organization (and the one item that
 * holds its token's SHA-256) is found with one GetItem. Created or rotated by an organization-admin (the answer shows
 * it once; rotating replaces the hash, so the old token stops working at the next request), deleted, or asked about
 * (exists, when) without the secret.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { callerUnchanged } from '../organizations/membership.ts';
import { requireOrgAdmin } from '../organizations/service.ts';
import { getItem, type TransactItem, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { OrganizationItem, ScimTokenItem } from '../shared/domain.ts';
import type { Caller } from '../shared/http.ts';
import { ENTITY, keys } from '../shared/table.ts';
import { hashOf } from '../sso/signin.ts';
import { ScimError } from './protocol.ts';

export interface ScimTokenStatus {
  exists: boolean;
  created_at?: string;
  /** The SCIM base URL to paste into the IdP (Okta: "SCIM connector base URL"; Entra ID: "Tenant URL"). */
  base_url: string;
}

export const scimBaseUrl = (deps: Deps, orgId: string) => `${deps.publicBaseUrl}/scim/v2/${orgId}`;

export async function scimTokenStatus(deps: Deps, caller: Caller, orgId: string): Promise<ScimTokenStatus> {
  await requireOrgAdmin(deps, orgId, caller);
  const item = await getItem<ScimTokenItem>(deps.db, deps.table, keys.scimToken(orgId));
  return {
    exists: item !== undefined,
    ...(item ? { created_at: item.created_at } : {}),
    base_url: scimBaseUrl(deps, orgId),
  };
}

/** Creates or replaces the token, holding the admin's membership; the token is in this answer only. */
export async function rotateScimToken(
  deps: Deps,
  caller: Caller,
  orgId: string,
): Promise<ScimTokenStatus & { token: string }> {
  const { membership } = await requireOrgAdmin(deps, orgId, caller);
  const token = `scim_${orgId}_${randomBytes(32).toString('base64url')}`;
  const at = deps.now().toISOString();
  await transact(deps.db, {
    ...callerUnchanged(deps, membership),
    token: {
      Put: {
        TableName: deps.table,
        Item: {
          ...keys.scimToken(orgId),
          ...({
            entity: ENTITY.scimToken,
            organization_id: orgId,
            token_hash: hashOf(token),
            created_at: at,
            created_by: caller.userId,
          } satisfies ScimTokenItem),
        },
      },
    },
  });
  return { exists: true, created_at: at, base_url: scimBaseUrl(deps, orgId), token };
}

export async function deleteScimToken(deps: Deps, caller: Caller, orgId: string): Promise<void> {
  const { membership } = await requireOrgAdmin(deps, orgId, caller);
  await transact(deps.db, {
    ...callerUnchanged(deps, membership),
    token: { Delete: { TableName: deps.table, Key: keys.scimToken(orgId) } },
  });
}

/** What a SCIM request is authorised by: the organization, and a condition holding the token as read. */
export interface ScimAuthority {
  orgId: string;
  org: OrganizationItem;
  /** A `ConditionCheck` for the transaction: the token is still this one (not rotated or deleted meanwhile). */
  held: TransactItem;
}

const unauthorized = () =>
  new ScimError(
    401,
    'The SCIM token is missing, wrong, rotated or deleted. An organization-admin creates one under Organization > SCIM provisioning (or POST /api/v1/organizations/{id}/scim/token) and pastes it into the identity provider.',
    undefined,
    { 'www-authenticate': 'Bearer realm="scim"' },
  );

/** The bearer token of a SCIM request, for the organization in its path; 401 for anything else. */
export async function authenticate(
  deps: Deps,
  orgId: string,
  authorization: string | undefined,
): Promise<ScimAuthority> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!token?.startsWith(`scim_${orgId}_`)) throw unauthorized();
  const item = await getItem<ScimTokenItem>(deps.db, deps.table, keys.scimToken(orgId));
  const given = Buffer.from(hashOf(token));
  const stored = Buffer.from(item?.token_hash ?? '');
  if (!item || given.length !== stored.length || !timingSafeEqual(given, stored)) throw unauthorized();
  const org = await getItem<OrganizationItem>(deps.db, deps.table, keys.organization(orgId));
  if (org?.status !== 'open') throw unauthorized();
  return {
    orgId,
    org,
    held: {
      ConditionCheck: {
        TableName: deps.table,
        Key: keys.scimToken(orgId),
        ConditionExpression: 'token_hash = :scimHash',
        ExpressionAttributeValues: { ':scimHash': item.token_hash },
      },
    },
  };
}
