/** A member's roles at an SSO sign-in: the mapped ones, written with the sign-in (`signin.ts`). */
import { adminCountChange } from '../organizations/membership.ts';
import type { TransactItems } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem, OrganizationItem } from '../shared/domain.ts';
import { log } from '../shared/log.ts';
import { isOrgAdmin, type RoleAssignments } from '../shared/roles.ts';
import { keys, setMemberListKeys } from '../shared/table.ts';

/**
 * The member's roles become the mapped ones, in the same transaction, on the condition that the membership is the
 * version read; the last organization-admin is never demoted by a sign-in (their roles stay as they are, and the
 * organization keeps its owner). Nothing when they are already those roles.
 */
export function rolesFromMappings(
  deps: Deps,
  org: OrganizationItem,
  member: MembershipItem,
  roles: RoleAssignments,
  at: string,
  /** What the write records the time of: an SSO sign-in, or a SCIM change of the member's groups (`scim/`). */
  stamp: 'sso_signed_in_at' | 'scim_synced_at' = 'sso_signed_in_at',
  /** The organization's SSO settings as read, held when this writes the organization item. */
  settings?: { expression: string; values: Record<string, unknown> },
): TransactItems {
  const wasAdmin = isOrgAdmin(member.role_assignments);
  const nowAdmin = isOrgAdmin(roles);
  const keepLastAdmin = wasAdmin && !nowAdmin && org.admin_count <= 1;
  const next = keepLastAdmin || sameRoles(member.role_assignments, roles) ? undefined : roles;
  const listed = setMemberListKeys({ ...member, is_admin: next ? nowAdmin : wasAdmin });
  const out: TransactItems = {
    membership: {
      Update: {
        TableName: deps.table,
        Key: keys.membership(org.id, member.user_id),
        UpdateExpression: next
          ? `SET role_assignments = :ra, is_admin = :admin, version = :next, roles_changed_at = :now, ${stamp} = :now, ${listed.clauses.join(', ')}`
          : `SET ${stamp} = :now, version = :next`,
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: {
          ':now': at,
          ':next': member.version + 1,
          ':v': member.version,
          ...(next ? { ':ra': next, ':admin': nowAdmin, ...listed.values } : {}),
        },
      },
    },
  };
  if (keepLastAdmin) log('warn', 'sso sign-in kept the last organization-admin', { organizationId: org.id });
  if (next && wasAdmin !== nowAdmin) out.adminCount = adminCountChange(deps, org.id, nowAdmin, settings);
  return out;
}

const sameRoles = (a: RoleAssignments, b: RoleAssignments): boolean => canonical(a) === canonical(b);
const canonical = (r: RoleAssignments): string =>
  JSON.stringify(
    Object.entries(r)
      .filter(([, list]) => Array.isArray(list) && list.length > 0)
      .map(([scope, list]) => [
        scope,
        (list as unknown[]).map((x) => JSON.stringify(x, Object.keys(x as object).sort())).sort(),
      ])
      .sort(),
  );
