/**
 * The invitations waiting for the caller (`GET /api/v1/users/me/invitations`): what the console shows a signed-in
 * person so they can accept without the emailed link.
 */
import { batchGet, keyId, queryAll } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { InvitationItem, OrganizationItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { keys, queries } from '../shared/table.ts';
import { isExpired, type OrganizationInvitation, toWire } from './store.ts';

/** An invitation as its addressee sees it: the reference's shape plus who sent it. */
export type MyInvitation = OrganizationInvitation & {
  invited_by: { email: string; name: string | null };
};

/**
 * Pending, unexpired invitations sent to the caller's address, newest first: one Query of the invitee index and one
 * batch read of their organizations (the current name; a closed organization's invitation cannot be accepted, so it is
 * left out). Only for a verified address: the token is the capability the email carries, and only the address's
 * verified owner could have read that email. An invitation reserved for another account moving with the same address
 * is left out: only that account may accept it.
 */
export async function myInvitations(deps: Deps, caller: Caller): Promise<MyInvitation[]> {
  if (!caller.emailVerified) {
    throw new ApiError(
      'organization.invitation_email_not_verified',
      'Verify your email address with your identity provider to see the invitations sent to it.',
    );
  }
  const now = deps.now();
  const pending = (
    await queryAll<InvitationItem>(deps.db, deps.table, queries.invitationsOfInvitee(caller.email))
  ).filter(
    (inv) =>
      inv.status === 'pending' &&
      inv.email === caller.email &&
      !isExpired(inv, now) &&
      (!inv.reserved_for || inv.reserved_for === caller.userId),
  );
  if (pending.length === 0) return [];
  const orgs = await batchGet(
    deps.db,
    deps.table,
    pending.map((inv) => keys.organization(inv.organization_id)),
  );
  return pending
    .flatMap((inv) => {
      const org = orgs.get(keyId(keys.organization(inv.organization_id))) as OrganizationItem | undefined;
      if (org?.status !== 'open') return [];
      return [
        {
          ...toWire({ ...inv, organization_name: org.name }, now),
          invited_by: { email: inv.invited_by_email, name: inv.invited_by_name ?? null },
        },
      ];
    })
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
}
