/** Role changes and member removal (leaving is removing yourself), with the organization's rules held by conditions. */
import { type DomainRelease, releaseDomains } from '../domains/release.ts';
import { adminCountChange, callerUnchanged } from '../organizations/membership.ts';
import { noAccess, orgNotFound } from '../organizations/service.ts';
import { holdSsoRequirement } from '../organizations/sso-required.ts';
import { holdAdminReachableWithout } from '../role-mappings/guard.ts';
import { throughIdp } from '../role-mappings/reachability.ts';
import {
  batchGet,
  conditionsFailed,
  getItem,
  keyId,
  type TransactItem,
  type TransactItems,
  transact,
} from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem, OrganizationItem, UserItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { boundMembership } from '../shared/key-roles.ts';
import {
  mergeRoleAssignments,
  parseRoleAssignments,
  subtractRoleAssignments,
} from '../shared/role-assignments.ts';
import { isOrgAdmin, type RoleAssignments } from '../shared/roles.ts';
import { keys, setMemberListKeys } from '../shared/table.ts';
import { invalidTarget, lastAdmin, retrying } from './refusals.ts';

export { lastAdmin } from './refusals.ts';

export const MAX_REMOVALS = 25;

/**
 * Add or remove role assignments of a member. Only an organization-admin of the member's organization may; the last
 * organization-admin keeps the role. Conditional on the membership version, retried, so concurrent changes all land.
 */
export async function changeRoles(
  deps: Deps,
  caller: Caller,
  targetUserId: string,
  body: unknown,
  mode: 'add' | 'remove',
): Promise<void> {
  await retrying(async () => {
    const target = await getItem<UserItem>(deps.db, deps.table, keys.user(targetUserId));
    const orgId = target?.organization_id;
    if (!orgId) throw invalidTarget();
    const orgKey = keys.organization(orgId);
    const meKey = keys.membership(orgId, caller.userId);
    const targetKey = keys.membership(orgId, targetUserId);
    const items = await batchGet(deps.db, deps.table, [orgKey, meKey, targetKey]);
    const org = items.get(keyId(orgKey)) as OrganizationItem | undefined;
    const me = boundMembership(caller, items.get(keyId(meKey)) as MembershipItem | undefined);
    const member = items.get(keyId(targetKey)) as MembershipItem | undefined;
    // Someone outside the target's organization learns nothing about where the target is.
    if (org?.status !== 'open' || !me || !member) throw invalidTarget();
    await holdSsoRequirement(deps, org, caller);
    if (!isOrgAdmin(me.role_assignments)) {
      throw new ApiError(
        'role_assignments.unauthorized_role_assignments',
        `Only an organization owner (organization-admin) can ${mode} role assignments.`,
      );
    }
    const change: RoleAssignments = parseRoleAssignments(body, orgId);
    const next =
      mode === 'add'
        ? mergeRoleAssignments(member.role_assignments, change)
        : subtractRoleAssignments(member.role_assignments, change);
    if (JSON.stringify(next) === JSON.stringify(member.role_assignments)) return; // idempotent: nothing to write
    const wasAdmin = member.is_admin;
    const nowAdmin = isOrgAdmin(next);
    if (wasAdmin && !nowAdmin && org.admin_count <= 1) throw lastAdmin();
    // Promoted or demoted, the member moves in the owners-first list in this same update (the version condition holds
    // the name and address it is computed from); written on every change, it also fills in a list key written before.
    const listed = setMemberListKeys({ ...member, is_admin: nowAdmin });
    const writes: TransactItems = {
      ...callerUnchanged(deps, me, [targetUserId]),
      membership: {
        Update: {
          TableName: deps.table,
          Key: targetKey,
          // roles_changed_at: the roles are no longer the invitation's (the invariant checker reads it).
          UpdateExpression: `SET role_assignments = :ra, is_admin = :admin, version = :next, roles_changed_at = :now, ${listed.clauses.join(', ')}`,
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: {
            ...listed.values,
            ':now': deps.now().toISOString(),
            ':ra': next,
            ':admin': nowAdmin,
            ':next': member.version + 1,
            ':v': member.version,
          },
        },
      },
    };
    // Losing a non-SSO admin needs a way to an admin to remain (another non-SSO admin, or a mapping granting it).
    const reachable =
      wasAdmin && !nowAdmin && !throughIdp(member)
        ? await holdAdminReachableWithout(deps, org, me, [targetUserId])
        : { items: {} };
    Object.assign(writes, reachable.items);
    // Losing an admin needs another one to remain: the database holds the rule, not this read.
    if (wasAdmin !== nowAdmin)
      writes.adminCount = adminCountChange(deps, orgId, nowAdmin, reachable.orgCondition);
    await transact(deps.db, writes);
  });
}
const NOBODY = { user_id: '', role_assignments: {}, joined_through: 'scim' } as const; // SCIM removes: no caller

/**
 * A condition on another item that must hold when a removal commits (a `ConditionCheck` in the same transaction),
 * and the error that refuses the removal when it does not.
 */
export interface RemovalGuard {
  check: NonNullable<TransactItem['ConditionCheck']>;
  refused: () => Error;
}

/**
 * Remove members by user id, all or nothing. Admins may remove anyone; any member may remove themselves (leaving).
 * Members remain: at least one organization-admin must remain. Nobody remains: the organization must have no active
 * deployments or projects and no pending bills, and is closed. Each removal releases the user's organization lock.
 * With a `guard`, nobody is removed unless its condition holds when the removal commits.
 */
export async function removeMembers(
  deps: Deps,
  caller: Caller | { scim: true },
  orgId: string,
  userIds: string[],
  guard?: RemovalGuard,
  also: TransactItems = {}, // SCIM's writes in the same transaction (`scim/users.ts`)
): Promise<{ closed: boolean }> {
  return retrying(async () => {
    const orgKey = keys.organization(orgId);
    const meKey = 'scim' in caller ? undefined : keys.membership(orgId, caller.userId);
    const targetKeys = userIds.map((id) => keys.membership(orgId, id));
    const found = await batchGet(deps.db, deps.table, [orgKey, ...targetKeys, ...(meKey ? [meKey] : [])]);
    const org = found.get(keyId(orgKey)) as OrganizationItem | undefined;
    if (org?.status !== 'open') throw orgNotFound();
    let me: MembershipItem | undefined;
    if (!('scim' in caller) && meKey) {
      me = boundMembership(caller, found.get(keyId(meKey)) as MembershipItem | undefined);
      if (!me) throw noAccess();
      await holdSsoRequirement(deps, org, caller);
      const leavingOnly = userIds.length === 1 && userIds[0] === caller.userId;
      // Leaving acts on the person (and may close the organization): never with an API key, whatever its roles.
      if (leavingOnly && caller.apiKey) {
        throw new ApiError(
          'root.invalid_authentication',
          'An API key cannot make its creator leave the organization: sign in and send a bearer token.',
        );
      }
      if (!leavingOnly && !isOrgAdmin(me.role_assignments)) {
        throw new ApiError(
          'root.invalid_authentication',
          'Only an organization owner (organization-admin) can remove other members.',
        );
      }
    }
    const members = targetKeys.map((k) => found.get(keyId(k)) as MembershipItem | undefined);
    const missing = userIds.filter((_, i) => !members[i]);
    if (missing.length > 0) {
      throw new ApiError(
        'organization.membership_not_found',
        `Not a member of this organization: ${missing.join(', ')}. Nobody was removed.`,
        missing,
      );
    }
    const leaving = members as MembershipItem[];
    const adminsLeaving = leaving.filter((m) => m.is_admin).length;
    const remaining = org.member_count - leaving.length;
    const now = deps.now().toISOString();

    let orgUpdate: TransactItem;
    let domains: DomainRelease | undefined;
    let reachable: Awaited<ReturnType<typeof holdAdminReachableWithout>> = { items: {} };
    if (remaining > 0) {
      if (org.admin_count - adminsLeaving < 1) throw lastAdmin();
      // Non-SSO admins leaving: a way to an admin must remain (another non-SSO admin, or a mapping granting it).
      const nonSsoAdmins = leaving.filter((m) => m.is_admin && !throughIdp(m));
      if (nonSsoAdmins.length > 0)
        reachable = await holdAdminReachableWithout(
          deps,
          org,
          me ?? NOBODY,
          leaving.map((m) => m.user_id),
        );
      orgUpdate = {
        Update: {
          TableName: deps.table,
          Key: orgKey,
          UpdateExpression: 'ADD member_count :negMembers, admin_count :negAdmins',
          ConditionExpression: `#status = :open AND member_count > :n AND admin_count > :k${reachable.orgCondition ? ` AND ${reachable.orgCondition.expression}` : ''}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':negMembers': -leaving.length,
            ':negAdmins': -adminsLeaving,
            ':open': 'open',
            ':n': leaving.length,
            ':k': adminsLeaving,
            ...reachable.orgCondition?.values,
          },
        },
      };
    } else {
      if (org.active_resource_count > 0) {
        throw new ApiError(
          'organization.has_active_deployments',
          `You are the only member and the organization still has ${org.active_resource_count} active deployment(s) or project(s). Delete them (or migrate them to another organization) before leaving.`,
        );
      }
      if (org.pending_bill_count > 0) {
        throw new ApiError(
          'organization.has_pending_bills',
          `You are the only member and the organization has ${org.pending_bill_count} pending bill(s). Settle them before leaving.`,
        );
      }
      // Its domains are released with it, holding the claims as read (`domains/release.ts`).
      domains = await releaseDomains(deps, org);
      orgUpdate = {
        Update: {
          TableName: deps.table,
          Key: orgKey,
          UpdateExpression:
            'SET #status = :closed, closed_at = :now, member_count = :zero, admin_count = :zero, domain_claim_count = :zero',
          ConditionExpression: `#status = :open AND member_count = :n AND active_resource_count = :zero AND pending_bill_count = :zero AND ${domains.condition}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':closed': 'closed',
            ':open': 'open',
            ':now': now,
            ':zero': 0,
            ':n': leaving.length,
            ...domains.values,
          },
        },
      };
    }
    await transact(deps.db, {
      ...Object.fromEntries(
        leaving.flatMap((m) => [
          [
            `membership:${m.user_id}`,
            {
              Delete: {
                TableName: deps.table,
                Key: keys.membership(orgId, m.user_id),
                ConditionExpression: 'version = :v',
                ExpressionAttributeValues: { ':v': m.version },
              },
            },
          ],
          [
            `memberEmail:${m.user_id}`,
            { Delete: { TableName: deps.table, Key: keys.memberEmail(orgId, m.email) } },
          ],
          [
            `userLock:${m.user_id}`,
            {
              Update: {
                TableName: deps.table,
                Key: keys.user(m.user_id),
                UpdateExpression: 'REMOVE organization_id',
                ConditionExpression: 'organization_id = :org',
                ExpressionAttributeValues: { ':org': orgId },
              },
            },
          ],
        ]),
      ),
      organization: orgUpdate,
      ...domains?.items,
      ...reachable.items,
      ...(me ? callerUnchanged(deps, me, userIds) : {}),
      ...also,
      ...(guard ? { guard: { ConditionCheck: guard.check } } : {}),
    }).catch((e) => {
      // The guard failing is an answer, not a lost race: refuse at once, never retry.
      if (guard && conditionsFailed(e)?.has('guard')) throw guard.refused();
      throw e;
    });
    return { closed: remaining === 0 };
  });
}
