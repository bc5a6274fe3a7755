/** What an organization's administrators do with invitations besides sending them: list them, revoke them. */
import { callerUnchanged } from '../organizations/membership.ts';
import { requireOrgAdmin } from '../organizations/service.ts';
import { getItem, inParts, type TransactItem, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { EmailStatus, InvitationItem, OrganizationItem } from '../shared/domain.ts';
import { ApiError, withNote } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { retryLostRace } from '../shared/races.ts';
import { keys, TABLE, ttlAt } from '../shared/table.ts';
import {
  invitationNotFound,
  type OrganizationInvitation,
  queryInvitations,
  RETENTION_MS,
  toWire,
} from './store.ts';

export type ListedInvitation = OrganizationInvitation & { email_status: EmailStatus; email_error?: string };

/** Open (pending, including expired) invitations, newest first, `expired` computed from `expires_at`. */
export async function listInvitations(
  deps: Deps,
  caller: Caller,
  orgId: string,
): Promise<ListedInvitation[]> {
  await requireOrgAdmin(deps, orgId, caller);
  const now = deps.now();
  const [items, org] = await Promise.all([
    queryInvitations(deps, orgId),
    getItem<OrganizationItem>(deps.db, deps.table, keys.organization(orgId)),
  ]);
  return items
    .filter((inv) => inv.status === 'pending')
    .sort((a, b) => b.created_at.localeCompare(a.created_at))
    .map((inv) => ({
      // The organization's name as it is now, not as it was when the invitation was sent.
      ...toWire(org?.name ? { ...inv, organization_name: org.name } : inv, now),
      // Stored before the outbox: `unsent` was waiting for a send, as `queued` is.
      email_status: inv.email_status === 'unsent' ? 'queued' : inv.email_status,
      ...(inv.email_status === 'failed' && inv.email_error ? { email_error: inv.email_error } : {}),
    }));
}

/**
 * Revoke invitations by token, all or nothing up to 99 tokens. A migration waiting on one of them is told by the outbox.
 * Every write holds the caller's membership (`callerUnchanged`): an admin demoted or removed meanwhile reads again and
 * gets 403. With the caller check, 100 tokens need 101 actions, more than one transaction takes: such a request is
 * written in consecutive parts (`inParts`), each holding the caller. Unknown tokens are refused before any part is
 * written; if a later part is refused (the caller demoted, an invitation accepted meanwhile), the answer is that
 * refusal, saying that the earlier part's invitations were revoked and stay revoked.
 */
export async function revokeInvitations(
  deps: Deps,
  caller: Caller,
  orgId: string,
  tokens: string[],
): Promise<void> {
  /** Tokens a committed part revoked: not pending any more, and not to be revoked again. */
  const done = new Set<string>();
  try {
    // An invitation accepted or refreshed between the read and the write, or the caller's roles changed: read again,
    // so an accepted one answers 404 like any invitation no longer pending, a refreshed one is revoked at its new
    // version, and a demoted caller is refused.
    await retryLostRace(
      { attempts: MAX_REVOKE_ATTEMPTS, exhausted: () => revokeConflict(done.size === 0) },
      async () => {
        const { membership } = await requireOrgAdmin(deps, orgId, caller);
        const left = tokens.filter((t) => !done.has(t));
        const byToken = new Map(
          (await queryInvitations(deps, orgId))
            .filter((i) => i.status === 'pending')
            .map((i) => [i.token, i]),
        );
        const missing = left.filter((t) => !byToken.has(t));
        if (missing.length > 0) {
          throw invitationNotFound(
            `No pending invitation in this organization for ${missing.length === 1 ? 'this token' : `${missing.length} of the tokens`}.${done.size === 0 ? ' Nothing was revoked.' : ''}`,
          );
        }
        const now = deps.now();
        const tokenOf = new Map<string, string>();
        const groups = left.map((t) => {
          const inv = byToken.get(t)!;
          tokenOf.set(`invitation:${inv.email}`, t);
          return { [`invitation:${inv.email}`]: revokeItem(deps, caller, orgId, inv, now) };
        });
        for (const part of inParts(callerUnchanged(deps, membership), groups)) {
          await transact(deps.db, part);
          for (const name of Object.keys(part)) {
            const t = tokenOf.get(name);
            if (t) done.add(t);
          }
        }
      },
    );
  } catch (e) {
    if (done.size === 0 || done.size === tokens.length) throw e;
    throw withNote(
      e,
      `This request was written in parts: ${done.size} of its ${tokens.length} invitations were revoked before that and stay revoked; list the invitations to see what is left.`,
    );
  }
}

function revokeItem(deps: Deps, caller: Caller, orgId: string, inv: InvitationItem, now: Date): TransactItem {
  return {
    Update: {
      TableName: deps.table,
      Key: keys.invitation(orgId, inv.email),
      UpdateExpression:
        'SET #status = :revoked, revoked_at = :now, revoked_by = :uid, version = version + :one, #ttl = :ttl REMOVE task_token',
      ConditionExpression: '#status = :pending AND version = :v',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': TABLE.ttlAttribute },
      ExpressionAttributeValues: {
        ':revoked': 'revoked',
        ':pending': 'pending',
        ':now': now.toISOString(),
        ':uid': caller.userId,
        ':one': 1,
        ':v': inv.version,
        ':ttl': ttlAt(new Date(now.getTime() + RETENTION_MS)),
      },
    },
  };
}

const MAX_REVOKE_ATTEMPTS = 5;

const revokeConflict = (nothingDone: boolean) =>
  new ApiError(
    'organization.conflict',
    `The invitations kept changing while revoking them (other administrators are refreshing them).${nothingDone ? ' Nothing was revoked; list' : ' List'} the invitations and try again.`,
  );
