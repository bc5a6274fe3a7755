import { listInvitations } from '../invitations/manage.ts';
import { loadOrgAndMembership } from '../organizations/service.ts';
import { queryPage } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem } from '../shared/domain.ts';
import type { Caller } from '../shared/http.ts';
import type { RoleAssignments } from '../shared/roles.ts';
import { queries } from '../shared/table.ts';

/** The reference's `OrganizationMembership`. */
export interface OrganizationMembership {
  organization_id: string;
  user_id: string;
  name?: string;
  email: string;
  member_since: string;
  role_assignments: RoleAssignments;
}

export const toMembership = (m: MembershipItem): OrganizationMembership => ({
  organization_id: m.organization_id,
  user_id: m.user_id,
  ...(m.name ? { name: m.name } : {}),
  email: m.email,
  member_since: m.member_since,
  role_assignments: m.role_assignments,
});

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/**
 * One page of members (one Query), any member may list; `next` is an opaque cursor for the following page.
 * With `includeInvitations` (organization-admins; the console's Members tab), the first page also lists open
 * invitations, and every row carries a `status`: `active`, `pending` or `expired`.
 */
export async function listMembers(
  deps: Deps,
  caller: Caller,
  orgId: string,
  page: { size: number; next?: string; includeInvitations?: boolean },
): Promise<{
  members: (OrganizationMembership & { status?: 'active' })[];
  invitations?: unknown[];
  next?: string;
}> {
  if (page.includeInvitations) {
    // listInvitations checks that the caller is an organization-admin.
    const [members, invitations] = await Promise.all([
      listMembers(deps, caller, orgId, { size: page.size, ...(page.next ? { next: page.next } : {}) }),
      page.next ? Promise.resolve([]) : listInvitations(deps, caller, orgId),
    ]);
    return {
      ...members,
      members: members.members.map((m) => ({ ...m, status: 'active' as const })),
      ...(page.next
        ? {}
        : { invitations: invitations.map((i) => ({ ...i, status: i.expired ? 'expired' : 'pending' })) }),
    };
  }
  await loadOrgAndMembership(deps, orgId, caller.userId);
  const { items, next } = await queryPage<MembershipItem>(deps.db, deps.table, queries.members(orgId), {
    limit: page.size,
    ...(page.next !== undefined ? { next: page.next } : {}),
  });
  const members = items.map(toMembership);
  return next ? { members, next } : { members };
}
