/**
 * A membership in transactions: joining an organization (shared by creating one and accepting an invitation: the same
 * three items, always together), and holding the caller's membership in every write it authorises.
 */
import type { TransactItem, TransactItems } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { retryLostRace } from '../shared/races.ts';
import { isOrgAdmin, type RoleAssignments } from '../shared/roles.ts';
import { ENTITY, keys, memberListKeys } from '../shared/table.ts';

/**
 * Transaction items that make `caller` a member of `orgId`: `userLock`, the user's one-organization lock (its condition
 * fails when they belong to an organization), `membership` and `memberEmail`, the member-email marker.
 */
export function joinItems(
  deps: Deps,
  caller: Caller,
  orgId: string,
  roleAssignments: RoleAssignments,
  now: string,
  /** The invitation accepted (token and the version read), recorded on the membership as its provenance. */
  joinedVia?: MembershipItem['joined_via'],
  /** `sso`: joining by a sign-in through the organization's IdP (`sso/signin.ts`). */
  joinedThrough?: MembershipItem['joined_through'],
) {
  const membership: MembershipItem = {
    entity: ENTITY.membership,
    organization_id: orgId,
    user_id: caller.userId,
    email: caller.email,
    ...(caller.name ? { name: caller.name } : {}),
    member_since: now,
    role_assignments: roleAssignments,
    is_admin: isOrgAdmin(roleAssignments),
    version: 1,
    ...(joinedVia ? { joined_via: joinedVia } : {}),
    ...(joinedThrough ? { joined_through: joinedThrough } : {}),
  };
  return {
    userLock: {
      Update: {
        TableName: deps.table,
        Key: keys.user(caller.userId),
        UpdateExpression:
          'SET entity = :user, user_id = :uid, email = :email, created_at = if_not_exists(created_at, :now), organization_id = :org',
        ConditionExpression: 'attribute_not_exists(organization_id)',
        ExpressionAttributeValues: {
          ':user': ENTITY.user,
          ':uid': caller.userId,
          ':email': caller.email,
          ':now': now,
          ':org': orgId,
        },
      },
    },
    membership: {
      Put: {
        TableName: deps.table,
        // The member lists' keys ride on the membership: placed in every list by the same conditional Put.
        Item: { ...keys.membership(orgId, caller.userId), ...memberListKeys(membership), ...membership },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    memberEmail: {
      Put: {
        TableName: deps.table,
        Item: {
          ...keys.memberEmail(orgId, caller.email),
          entity: ENTITY.memberEmail,
          user_id: caller.userId,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  } satisfies TransactItems;
}

/**
 * The caller's authority, held by the transaction: their membership is still the version read (same roles, still a
 * member). Every write authorised by the caller's roles carries it (each part, when written in parts). Without it, an
 * admin demoted or removed at the same instant could still land what the lost role allowed: an invitation granting
 * organization-admin, a deployment, a demotion of the admin demoting them. Empty when the caller is among the items
 * written (their own item's version condition already holds it: DynamoDB allows one operation per item in a
 * transaction). Named `caller`, so a failure reads as a lost race: read again, and refuse with what is true now.
 */
export const callerUnchanged = (deps: Deps, me: MembershipItem, alsoWritten: string[] = []): TransactItems =>
  alsoWritten.includes(me.user_id)
    ? {}
    : {
        caller: {
          ConditionCheck: {
            TableName: deps.table,
            Key: keys.membership(me.organization_id, me.user_id),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': me.version },
          },
        },
      };

const MAX_AUTHORISED_ATTEMPTS = 5;

/**
 * Read the caller's membership, decide, write holding it (`callerUnchanged`); after a lost race (the caller's roles
 * changed, or what was written did) read and decide again, so a caller demoted meanwhile gets the 403 they now deserve.
 */
export const retryAuthorised = <T>(attempt: () => Promise<T>): Promise<T> =>
  retryLostRace({ attempts: MAX_AUTHORISED_ATTEMPTS, exhausted: changedMeanwhile }, attempt);

const changedMeanwhile = () =>
  new ApiError(
    'organization.conflict',
    'Your roles or what you were changing kept changing while we saved this (other administrators are editing them). Nothing was changed; try again.',
  );

/**
 * The organization's `admin_count` after one member gains or loses organization-admin, in the same transaction: losing
 * one needs another to remain, so the database holds the last-admin rule, not the read that decided.
 */
export const adminCountChange = (
  deps: Deps,
  orgId: string,
  nowAdmin: boolean,
  /** A further condition on the organization (the SSO settings an admin-reachability decision read). */
  also?: { expression: string; values: Record<string, unknown> },
): TransactItem => ({
  Update: {
    TableName: deps.table,
    Key: keys.organization(orgId),
    UpdateExpression: 'ADD admin_count :delta',
    ConditionExpression: `${nowAdmin ? '#status = :open' : '#status = :open AND admin_count > :one'}${also ? ` AND ${also.expression}` : ''}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':delta': nowAdmin ? 1 : -1,
      ':open': 'open',
      ...(nowAdmin ? {} : { ':one': 1 }),
      ...also?.values,
    },
  },
});

/** An organization update that also holds a condition on the organization (its SSO settings as read). */
export function heldWith(
  update: TransactItem & { Update: NonNullable<TransactItem['Update']> },
  also: { expression: string; values: Record<string, unknown> },
): TransactItem & { Update: NonNullable<TransactItem['Update']> } {
  const u = update.Update;
  return {
    Update: {
      ...u,
      ConditionExpression: `${u.ConditionExpression} AND ${also.expression}`,
      ExpressionAttributeValues: { ...u.ExpressionAttributeValues, ...also.values },
    },
  };
}

/**
 * What a join or link through an organization's IdP (SSO, SCIM) holds: the domain of the address is still this
 * organization's (`domainOwned`), and, when linking, the address still belongs to that member (`emailHeldBy`).
 */
export const domainOwned = (deps: Deps, domain: string, orgId: string): TransactItem => ({
  ConditionCheck: {
    TableName: deps.table,
    Key: keys.domain(domain),
    ConditionExpression: 'organization_id = :org',
    ExpressionAttributeValues: { ':org': orgId },
  },
});

export const emailHeldBy = (deps: Deps, orgId: string, email: string, userId: string): TransactItem => ({
  ConditionCheck: {
    TableName: deps.table,
    Key: keys.memberEmail(orgId, email),
    ConditionExpression: 'user_id = :uid',
    ExpressionAttributeValues: { ':uid': userId },
  },
});
