/** Who the caller is: their claims, their organization and their roles there (`GET /api/v1/users/me`). */
import { type Organization, toOrganization } from '../organizations/service.ts';
import { batchGet, getItem, keyId } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem, OrganizationItem, UserItem } from '../shared/domain.ts';
import type { Caller } from '../shared/http.ts';
import { boundMembership } from '../shared/key-roles.ts';
import type { RoleAssignments } from '../shared/roles.ts';
import { keys } from '../shared/table.ts';

/** The path segment that stands for the caller's own user id (`…/members/me`, `/users/me/role_assignments`). */
export const ME = 'me';

/** `me` is the caller; any other id is itself. */
export const resolveUserId = (id: string, caller: Caller): string => (id === ME ? caller.userId : id);

/** What `GET /api/v1/users/me` answers; `organization` is null while the user belongs to none. */
export interface Me {
  user_id: string;
  email: string;
  name: string | null;
  email_verified: boolean;
  organization: Organization | null;
  /** The reference's `RoleAssignments` in that organization; `{}` without one. */
  role_assignments: RoleAssignments;
}

/**
 * The caller from their token's claims, plus where they belong: one read of the user's one-organization lock and,
 * when they are in an organization, one batch read of it and their membership. Nothing is written.
 */
export async function whoAmI(deps: Deps, caller: Caller): Promise<Me> {
  const me: Me = {
    user_id: caller.userId,
    email: caller.email,
    name: caller.name ?? null,
    email_verified: caller.emailVerified,
    organization: null,
    role_assignments: {},
  };
  const user = await getItem<UserItem>(deps.db, deps.table, keys.user(caller.userId));
  if (!user?.organization_id) return me;
  const orgKey = keys.organization(user.organization_id);
  const memberKey = keys.membership(user.organization_id, caller.userId);
  const found = await batchGet(deps.db, deps.table, [orgKey, memberKey]);
  const org = found.get(keyId(orgKey)) as OrganizationItem | undefined;
  const membership = boundMembership(caller, found.get(keyId(memberKey)) as MembershipItem | undefined);
  // A lock without an open organization and a membership is a leave in flight: the user belongs nowhere yet.
  if (org?.status !== 'open' || !membership) return me;
  return { ...me, organization: toOrganization(org), role_assignments: membership.role_assignments };
}
