/**
 * The admin-reachability rule (#21): an organization must always have a way to an `organization-admin`. Either an
 * enabled mapping grants it to whoever its rule matches at their next SSO sign-in (only while SSO is on: without the
 * IdP nobody signs in through it), or a member who did not join through SSO holds it (they sign in without the IdP).
 * A change to the mappings or the IdP that would leave neither is refused, saying why.
 *
 * The answer names its witness, so the write can hold exactly that: a mapping by the organization's `sso_version`
 * (the set of mappings as read), a member by their membership's version.
 */
import { ApiError } from '../shared/errors.ts';
import { isOrgAdmin, ORG_ADMIN, type RoleAssignments } from '../shared/roles.ts';
import type { MappingLike } from './evaluate.ts';

export interface MemberLike {
  user_id: string;
  role_assignments: RoleAssignments;
  joined_through?: 'sso' | 'scim';
}

/** Joined through the organization's IdP (signed in through it, or provisioned by it through SCIM): reachable only through it. */
export const throughIdp = (m: { joined_through?: 'sso' | 'scim' }): boolean =>
  m.joined_through === 'sso' || m.joined_through === 'scim';

export type AdminWitness = { mapping: string } | { member: string };

/**
 * How an organization-admin stays reachable, or undefined when none is. A mapping counts only while SSO is on; a
 * non-SSO admin always counts. `prefer` is tried first among members (the caller, whose membership the write holds
 * anyway).
 */
export function adminWitness(
  state: {
    ssoOn: boolean;
    mappings: readonly (MappingLike & { name: string })[];
    members: readonly MemberLike[];
  },
  prefer?: string,
): AdminWitness | undefined {
  const nonSsoAdmins = state.members.filter((m) => !throughIdp(m) && isOrgAdmin(m.role_assignments));
  const member = nonSsoAdmins.find((m) => m.user_id === prefer) ?? nonSsoAdmins[0];
  if (member) return { member: member.user_id };
  if (state.ssoOn) {
    const mapping = state.mappings.find((m) => m.enabled && isOrgAdmin(m.role_assignments));
    if (mapping) return { mapping: mapping.name };
  }
  return undefined;
}

export const adminUnreachable = (ssoOn: boolean) =>
  new ApiError(
    'org.role_mapping_rule.admin_unreachable',
    ssoOn
      ? `This would leave the organization without a way to an ${ORG_ADMIN}: no enabled role mapping would grant it and every member who holds it joined through SSO. Keep a mapping that grants ${ORG_ADMIN}, or give it to a member who signs in without SSO first.`
      : `This would leave the organization without a way to an ${ORG_ADMIN}: SSO would be off, so role mappings grant nothing, and every member who holds it joined through SSO and could no longer sign in. Give ${ORG_ADMIN} to a member who signs in without SSO first.`,
  );
