/**
 * An API key's roles as an upper bound: a request made with a key may do what both the key's role assignments and its
 * creator's current roles allow (the creator demoted after making the key: the key shrinks with them).
 */
import type { MembershipItem } from './domain.ts';
import type { Caller } from './http.ts';
import { subtractRoleAssignments } from './role-assignments.ts';
import { isOrgAdmin, type RoleAssignments } from './roles.ts';

const isEmpty = (ra: RoleAssignments) =>
  !ra.organization?.length &&
  !ra.deployment?.length &&
  !Object.values(ra.project ?? {}).some((l) => l?.length);

/** Whether `wanted` grants nothing `held` does not (an organization-admin holds every role of its organization). */
export const withinRoles = (wanted: RoleAssignments, held: RoleAssignments): boolean =>
  isOrgAdmin(held) || isEmpty(subtractRoleAssignments(wanted, held));

/**
 * What both grant. Exact when either is organization-admin; otherwise `key − (key − member)`, which may drop a scoped
 * role that one side holds for `all` and the other for some ids (never grants more than both).
 */
export function intersectRoles(key: RoleAssignments, member: RoleAssignments): RoleAssignments {
  if (isOrgAdmin(member)) return key;
  if (isOrgAdmin(key)) return member;
  return subtractRoleAssignments(key, subtractRoleAssignments(key, member));
}

/**
 * The caller's membership as their request may use it: unchanged for a person; for an API key, undefined outside the
 * key's organization and with roles bounded by the key's. The version stays the one read, so `callerUnchanged` holds.
 */
export function boundMembership<M extends MembershipItem | undefined>(caller: Caller, me: M): M | undefined {
  if (!me || !caller.apiKey) return me;
  if (me.organization_id !== caller.apiKey.organizationId) return undefined;
  const roles = intersectRoles(caller.apiKey.roles, me.role_assignments);
  return { ...me, role_assignments: roles, is_admin: isOrgAdmin(roles) };
}
