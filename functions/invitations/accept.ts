/** Accepting an invitation: who may, and the one transaction that makes them a member. */
import { timingSafeEqual } from 'node:crypto';
import { joinItems } from '../organizations/membership.ts';
import { alreadyBelongs, orgNotFound } from '../organizations/service.ts';
import {
  batchGet,
  conditionsFailed,
  countOnOrganization,
  getItem,
  keyId,
  stripKeys,
  type TransactItems,
  transact,
} from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { InvitationItem, UserItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { METRIC } from '../shared/observability.ts';
import { isLostRace, retryLostRace } from '../shared/races.ts';
import { isOrgAdmin } from '../shared/roles.ts';
import { keys, TABLE } from '../shared/table.ts';
import { findByToken, invitationNotFound, isExpired } from './store.ts';

/** How often an accept re-reads and tries again after a lost race before answering 409. */
const MAX_ACCEPT_ATTEMPTS = 5;

/**
 * Accept an invitation: one transaction consumes it, takes the user's one-organization lock, creates the membership
 * with the invitation's roles and counts the member. The invitation is written on the condition that it is still the
 * version read, so the roles applied are the ones on the invitation when the accept commits (a re-invite that changed
 * them in between makes the accept read again), and a task token stored in between is seen. A workflow waiting on
 * the invitation is resumed by the outbox, from the stream record of this commit (old image: pending with the token).
 */
export async function acceptInvitation(deps: Deps, caller: Caller, token: string): Promise<void> {
  const found = await findByToken(deps, token); // the token index is eventually consistent: the write's condition decides
  if (!found || found.status === 'revoked') throw invitationNotFound();
  let inv = found;
  await retryLostRace({ attempts: MAX_ACCEPT_ATTEMPTS, exhausted: conflict }, async () => {
    if (refuseAccept(deps, caller, inv) === 'ours') return stillMember(deps, caller, inv);
    try {
      await transact(deps.db, acceptItems(deps, caller, inv, deps.now()));
      deps.metrics.count(METRIC.invitationsAccepted);
    } catch (e) {
      if (!isLostRace(e)) throw e;
      // Say why when it is final (thrown), stop when it already happened, or try again with the invitation as it is.
      const current = await explainFailedAccept(deps, caller, inv, conditionsFailed(e));
      if (current === 'ours') return stillMember(deps, caller, inv);
      inv = current;
      throw e;
    }
  });
}

/**
 * Why this caller may not accept this invitation as read (thrown), or `ours` when they already did: then
 * `stillMember` decides whether that is a retried accept (200) or a used invitation.
 */
function refuseAccept(deps: Deps, caller: Caller, inv: InvitationItem): 'ours' | undefined {
  if (inv.status === 'revoked') throw invitationNotFound();
  if (inv.email !== caller.email) {
    throw new ApiError(
      'root.invalid_authentication',
      'This invitation was sent to a different email address. Sign in with the address that received it.',
    );
  }
  if (!caller.emailVerified) {
    throw new ApiError(
      'organization.invitation_email_not_verified',
      'Verify your email address with your identity provider, then accept again.',
    );
  }
  if (inv.status === 'accepted') {
    if (inv.accepted_by === caller.userId) return 'ours'; // a retried accept: already done
    throw new ApiError(
      'organization.invitation_already_accepted',
      'This invitation has already been used. Ask an administrator to send a new one.',
    );
  }
  if (inv.reserved_for && inv.reserved_for !== caller.userId) throw reservedForMover();
  if (isExpired(inv, deps.now())) throw expired();
  return undefined;
}

/**
 * An invitation this caller already accepted answers 200 only while they are still a member of its organization (a
 * retried accept: nothing to write, so a read decides). Once they left or were removed, the invitation is used up.
 * A separate read after the invitation's: the accept that consumed it wrote the membership in the same transaction,
 * so this strongly consistent read sees that membership, or its removal since (a BatchGet is no snapshot).
 */
async function stillMember(deps: Deps, caller: Caller, inv: InvitationItem): Promise<void> {
  const me = await getItem(deps.db, deps.table, keys.membership(inv.organization_id, caller.userId));
  if (me) return;
  throw new ApiError(
    'organization.invitation_already_accepted',
    'You already used this invitation and are no longer a member (you left or were removed); ask an administrator for a new invitation.',
  );
}

const reservedForMover = () =>
  new ApiError(
    'organization.invitation_reserved',
    'This invitation is reserved for the account that is moving to this organization with its deployments. Sign in with that account to accept it; if you are someone else using the same email address, ask an administrator for your own invitation after the move.',
  );

/** The accept transaction: the invitation (at the version read), the join items, the organization's count. */
function acceptItems(deps: Deps, caller: Caller, inv: InvitationItem, now: Date): TransactItems {
  const orgId = inv.organization_id;
  return {
    invitation: {
      Update: {
        TableName: deps.table,
        Key: keys.invitation(orgId, inv.email),
        UpdateExpression:
          'SET #status = :accepted, accepted_at = :now, accepted_by = :uid, version = version + :one REMOVE #ttl, task_token',
        ConditionExpression:
          '#status = :pending AND #token = :token AND version = :v AND expires_at > :now AND (attribute_not_exists(reserved_for) OR reserved_for = :uid)',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': TABLE.ttlAttribute, '#token': 'token' },
        ExpressionAttributeValues: {
          ':accepted': 'accepted',
          ':pending': 'pending',
          ':now': now.toISOString(),
          ':uid': caller.userId,
          ':one': 1,
          ':token': inv.token,
          ':v': inv.version,
        },
      },
    },
    ...joinItems(deps, caller, orgId, inv.role_assignments, now.toISOString(), {
      token: inv.token,
      version: inv.version,
    }),
    organizationCount: countOnOrganization(deps.table, keys.organization(orgId), {
      member_count: 1,
      admin_count: isOrgAdmin(inv.role_assignments) ? 1 : 0,
    }),
  };
}

const expired = () =>
  new ApiError(
    'organization.invitation_expired',
    'This invitation has expired. Ask an administrator to send a new invitation.',
  );

/** Tokens are compared in constant time, so no comparison tells how much of a token was right. */
const sameToken = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const conflict = () =>
  new ApiError(
    'organization.conflict',
    'The invitation kept changing while you accepted it (an administrator is editing it). Try again in a moment.',
  );

/**
 * After a lost race or a failed condition, read what is true now (strongly consistent) and say it: the accept already
 * happened (`ours`), a reason to refuse (thrown), or the invitation as it now is, to try again with.
 */
async function explainFailedAccept(
  deps: Deps,
  caller: Caller,
  inv: InvitationItem,
  failed: Set<string> | undefined,
): Promise<InvitationItem | 'ours'> {
  const invKey = keys.invitation(inv.organization_id, inv.email);
  const userKey = keys.user(caller.userId);
  const found = await batchGet(deps.db, deps.table, [invKey, userKey]);
  const raw = found.get(keyId(invKey));
  const current = raw && stripKeys<InvitationItem>(raw);
  const user = found.get(keyId(userKey)) as UserItem | undefined;
  if (!current || !sameToken(current.token, inv.token)) throw invitationNotFound();
  if (refuseAccept(deps, caller, current) === 'ours') return 'ours';
  if (user?.organization_id) {
    if (user.organization_id === inv.organization_id) {
      throw new ApiError(
        'organization.user_organization_already_belongs',
        'You are already a member of this organization.',
      );
    }
    throw alreadyBelongs();
  }
  if (failed?.has('organizationCount')) throw orgNotFound(); // closed while we accepted
  if (failed?.has('memberEmail')) {
    // Another account with this address is a member (it joined through SSO): one membership per address.
    throw new ApiError(
      'organization.user_organization_already_belongs',
      'Another account with this email address is already a member of this organization (it signed in through single sign-on). Use that account, or ask an administrator.',
    );
  }
  return current;
}
