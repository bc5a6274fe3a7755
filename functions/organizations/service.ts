import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet, conditionsFailed, getItem, keyId, stripKeys, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem, OrganizationItem, UserItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { boundMembership } from '../shared/key-roles.ts';
import { adminRoleAssignments, isOrgAdmin } from '../shared/roles.ts';
import { ENTITY, keys } from '../shared/table.ts';
import { callerUnchanged, joinItems, retryAuthorised } from './membership.ts';
import { holdSsoRequirement } from './sso-required.ts';

/** The reference's `Organization` shape. */
export interface Organization {
  id: string;
  name: string;
}
export const toOrganization = (o: OrganizationItem): Organization => ({ id: o.id, name: o.name });

export const alreadyBelongs = () =>
  new ApiError(
    'organization.user_organization_already_belongs',
    'You already belong to an organization. Leave it first, or sign in with another email address.',
  );
export const orgNotFound = () => new ApiError('organization.not_found', 'Organization not found.');
export const noAccess = () =>
  new ApiError('organization.invalid_access', 'You do not have access to this organization.');

/** The user record, created on first sight of a caller. */
export async function ensureUser(deps: Deps, caller: Caller): Promise<UserItem> {
  const got = await deps.db.send(new GetCommand({ TableName: deps.table, Key: keys.user(caller.userId) }));
  if (got.Item) return stripKeys<UserItem>(got.Item);
  const user: UserItem = {
    entity: ENTITY.user,
    user_id: caller.userId,
    email: caller.email,
    ...(caller.name ? { name: caller.name } : {}),
    created_at: deps.now().toISOString(),
  };
  try {
    await deps.db.send(
      new PutCommand({
        TableName: deps.table,
        Item: { ...keys.user(caller.userId), ...user },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return user;
  } catch (e) {
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    return ensureUser(deps, caller); // created concurrently: read what won
  }
}

/**
 * An open organization and the caller's membership in it, in one strongly consistent read.
 * 404 when the organization does not exist or is closed, 403 when the caller is not a member.
 */
export async function loadOrgAndMembership(
  deps: Deps,
  orgId: string,
  caller: Caller,
): Promise<{ org: OrganizationItem; membership: MembershipItem }> {
  const orgKey = keys.organization(orgId);
  const memberKey = keys.membership(orgId, caller.userId);
  const found = await batchGet(deps.db, deps.table, [orgKey, memberKey]);
  const org = found.get(keyId(orgKey)) as OrganizationItem | undefined;
  if (org?.status !== 'open') throw orgNotFound();
  const membership = boundMembership(caller, found.get(keyId(memberKey)) as MembershipItem | undefined);
  if (!membership) throw noAccess();
  await holdSsoRequirement(deps, org, caller);
  return { org: stripKeys(org as never), membership: stripKeys(membership as never) };
}

/** As `loadOrgAndMembership`, and the caller must be an organization-admin (403 otherwise). */
export async function requireOrgAdmin(deps: Deps, orgId: string, caller: Caller) {
  const loaded = await loadOrgAndMembership(deps, orgId, caller);
  if (!isOrgAdmin(loaded.membership.role_assignments)) {
    throw new ApiError(
      'root.invalid_authentication',
      'Only an organization owner (organization-admin) of this organization can do this.',
    );
  }
  return loaded;
}

export function defaultOrganizationName(email: string): string {
  const local = email.split('@')[0] ?? 'My';
  return `${local.slice(0, 15)}'s organization`;
}

/**
 * Create an organization with the caller as its organization-admin. One transaction: the organization,
 * the caller's one-organization lock (conditional), the membership and the member-email marker.
 */
export async function createOrganization(
  deps: Deps,
  caller: Caller,
  name: string | undefined,
): Promise<Organization> {
  const now = deps.now().toISOString();
  const orgId = deps.newId();
  const org: OrganizationItem = {
    entity: ENTITY.organization,
    id: orgId,
    name: name ?? defaultOrganizationName(caller.email),
    status: 'open',
    created_at: now,
    created_by: caller.userId,
    member_count: 1,
    admin_count: 1,
    active_resource_count: 0,
    pending_bill_count: 0,
  };
  try {
    await transact(deps.db, {
      organization: {
        Put: {
          TableName: deps.table,
          Item: { ...keys.organization(orgId), ...org },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...joinItems(deps, caller, orgId, adminRoleAssignments(orgId), now),
    });
  } catch (e) {
    if (conditionsFailed(e)?.has('userLock')) throw alreadyBelongs();
    throw e;
  }
  return toOrganization(org);
}

/** The caller's organizations: at most one, since a user belongs to one organization at a time. */
export async function listOrganizations(deps: Deps, caller: Caller): Promise<Organization[]> {
  const user = await ensureUser(deps, caller);
  if (!user.organization_id) return [];
  const org = await getItem<OrganizationItem>(deps.db, deps.table, keys.organization(user.organization_id));
  return org?.status === 'open' ? [toOrganization(org)] : [];
}

export async function getOrganization(deps: Deps, caller: Caller, orgId: string): Promise<Organization> {
  const { org } = await loadOrgAndMembership(deps, orgId, caller);
  return toOrganization(org);
}

export async function renameOrganization(
  deps: Deps,
  caller: Caller,
  orgId: string,
  name: string,
): Promise<Organization> {
  // The renamer's role is held by the write: demoted meanwhile, the retry reads again and refuses.
  return retryAuthorised(async () => {
    const { org, membership } = await requireOrgAdmin(deps, orgId, caller);
    try {
      await transact(deps.db, {
        organization: {
          Update: {
            TableName: deps.table,
            Key: keys.organization(orgId),
            UpdateExpression: 'SET #name = :name',
            ConditionExpression: '#status = :open',
            ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
            ExpressionAttributeValues: { ':name': name, ':open': 'open' },
          },
        },
        ...callerUnchanged(deps, membership),
      });
    } catch (e) {
      if (conditionsFailed(e)?.has('organization')) throw orgNotFound();
      throw e;
    }
    return toOrganization({ ...org, name });
  });
}
