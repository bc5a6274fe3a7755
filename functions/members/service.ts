import { listInvitations } from '../invitations/manage.ts';
import { loadOrgAndMembership } from '../organizations/service.ts';
import { countAll, queryPage } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem } from '../shared/domain.ts';
import type { Caller } from '../shared/http.ts';
import type { RoleAssignments } from '../shared/roles.ts';
import { type MemberSort, queries } from '../shared/table.ts';

/** The reference's `OrganizationMembership`. */
export interface OrganizationMembership {
  organization_id: string;
  user_id: string;
  name?: string;
  email: string;
  member_since: string;
  role_assignments: RoleAssignments;
  /**
   * Ours: `invitation`, `sso` (a sign-in through the organization's IdP), `scim` (provisioned by it through SCIM), or
   * `created` (they created it).
   */
  joined_through: 'invitation' | 'sso' | 'scim' | 'created';
  /** Ours: their last sign-in through the organization's IdP, when they have signed in through it. */
  sso_signed_in_at?: string;
}

export const toMembership = (m: MembershipItem): OrganizationMembership => ({
  organization_id: m.organization_id,
  user_id: m.user_id,
  ...(m.name ? { name: m.name } : {}),
  email: m.email,
  member_since: m.member_since,
  role_assignments: m.role_assignments,
  joined_through: m.joined_through ? m.joined_through : m.joined_via ? 'invitation' : 'created',
  ...(m.sso_signed_in_at ? { sso_signed_in_at: m.sso_signed_in_at } : {}),
});

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;
export const MEMBER_SORTS = ['role', 'name', 'email'] as const satisfies readonly MemberSort[];
export const SORT_ORDERS = ['asc', 'desc'] as const;

export interface MemberPageRequest {
  size: number;
  next?: string;
  /** `role` (the default): owners first, then by name; `name`; `email`. */
  sort: MemberSort;
  order: (typeof SORT_ORDERS)[number];
  /** Only members whose name (`sort=name`) or address (`sort=email`) starts with this, `searchKey`ed. */
  prefix?: string;
  includeInvitations?: boolean;
}

export interface MemberPage {
  members: (OrganizationMembership & { status?: 'active' })[];
  /** Every member (the organization's counter), or, for a search, every member matching it. */
  total: number;
  invitations?: unknown[];
  next?: string;
}

/**
 * One page of members (one Query of a member list, beside the read of the organization and the caller's membership
 * that authorises it), any member may list; `next` is an opaque cursor for the following page. `total` is the
 * organization's member counter, kept by the transactions that add and remove members; for a search, a `COUNT` query
 * over the same range on its first page (its cost grows with the matches), carried in the cursor to the later pages.
 * With `includeInvitations` (organization-admins; the console's Members tab), the first page also lists open
 * invitations, and every row carries a `status`.
 */
export async function listMembers(
  deps: Deps,
  caller: Caller,
  orgId: string,
  page: MemberPageRequest,
): Promise<MemberPage> {
  if (page.includeInvitations) {
    // listInvitations checks that the caller is an organization-admin.
    const [members, invitations] = await Promise.all([
      listMembers(deps, caller, orgId, { ...page, includeInvitations: false }),
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
  const { org } = await loadOrgAndMembership(deps, orgId, caller);
  const query = queries.memberList(orgId, page.sort, page.order, page.prefix);
  // A search counts its matches on its first page; later pages carry that count in their cursor.
  const carried = page.prefix ? searchCursor(page.next) : { next: page.next };
  const [{ items, next }, total] = await Promise.all([
    queryPage<MembershipItem>(deps.db, deps.table, query, {
      limit: page.size,
      ...(carried.next !== undefined ? { next: carried.next } : {}),
    }),
    !page.prefix
      ? Promise.resolve(org.member_count)
      : (carried.total ?? countAll(deps.db, deps.table, query)),
  ]);
  const members = items.map(toMembership);
  if (!next) return { members, total };
  return { members, total, next: page.prefix ? `${total}~${next}` : next };
}

/** A search's cursor: `<total>~<cursor of the list>` (a list's cursor is base64url: it holds no `~`). */
function searchCursor(next: string | undefined): { next?: string; total?: number } {
  if (next === undefined) return {};
  const match = /^(\d{1,9})~(.+)$/.exec(next);
  // Not one of ours: the list's own check refuses it with the message a person can act on.
  if (!match) return { next };
  return { total: Number(match[1]), next: match[2]! };
}
