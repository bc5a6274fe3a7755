/** What an invitation is on the wire (the reference's `OrganizationInvitation`) and how one is read. */
import type { Organization } from '../organizations/service.ts';
import { getItem, queryAll, queryPage } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { InvitationItem, OrganizationItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { RoleAssignments } from '../shared/roles.ts';
import { keys, queries } from '../shared/table.ts';

/** Expired and revoked invitations stay visible (as expired/revoked) this long before TTL may remove them. */
export const RETENTION_MS = 30 * 24 * 3600_000;

/** The reference's `OrganizationInvitation`. */
export interface OrganizationInvitation {
  token: string;
  email: string;
  created_at: string;
  expires_at: string;
  expired: boolean;
  accepted_at?: string;
  organization: Organization;
  role_assignments: RoleAssignments;
}

export const isExpired = (inv: Pick<InvitationItem, 'expires_at'>, now: Date): boolean =>
  Date.parse(inv.expires_at) <= now.getTime();

export const toWire = (inv: InvitationItem, now: Date): OrganizationInvitation => ({
  token: inv.token,
  email: inv.email,
  created_at: inv.created_at,
  expires_at: inv.expires_at,
  expired: inv.status === 'pending' && isExpired(inv, now),
  ...(inv.accepted_at ? { accepted_at: inv.accepted_at } : {}),
  organization: { id: inv.organization_id, name: inv.organization_name },
  role_assignments: inv.role_assignments,
});

export const invitationNotFound = (
  message = 'Invitation not found. Ask an administrator to send a new invitation.',
) => new ApiError('organization.invitation_not_found', message);

/** The invitation a token belongs to (one GSI query), or undefined. */
export async function findByToken(deps: Deps, token: string): Promise<InvitationItem | undefined> {
  const { items } = await queryPage<InvitationItem>(deps.db, deps.table, queries.invitationByToken(token), {
    limit: 1,
  });
  return items[0];
}

/**
 * The invitation with its organization's name as it is now: the item keeps the name it was sent with (its email said
 * that one), and a rename since must show on the invitation page and in the lists. One more GetItem.
 */
export async function withCurrentName(deps: Deps, inv: InvitationItem): Promise<InvitationItem> {
  const org = await getItem<OrganizationItem>(deps.db, deps.table, keys.organization(inv.organization_id));
  return org?.name ? { ...inv, organization_name: org.name } : inv;
}

/** Public lookup by token (the reference's GET): pending and accepted invitations; revoked and unknown are 404. */
export async function getInvitation(deps: Deps, token: string): Promise<OrganizationInvitation> {
  const inv = await findByToken(deps, token);
  if (!inv || inv.status === 'revoked') throw invitationNotFound();
  return toWire(await withCurrentName(deps, inv), deps.now());
}

/** Every invitation item of an organization (all pages). */
export async function queryInvitations(deps: Deps, orgId: string): Promise<InvitationItem[]> {
  return queryAll<InvitationItem>(deps.db, deps.table, queries.invitations(orgId));
}

/** A consistent read of one invitation by organization and address (used by tests and the workflow). */
export async function getInvitationByEmail(
  deps: Deps,
  orgId: string,
  email: string,
): Promise<InvitationItem | undefined> {
  return getItem<InvitationItem>(deps.db, deps.table, keys.invitation(orgId, email));
}
