/** What an organization's administrators do with invitations besides sending them: list them, revoke them. */
import { requireOrgAdmin } from '../organizations/service.ts';
import { transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { EmailStatus } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
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
  await requireOrgAdmin(deps, orgId, caller.userId);
  const now = deps.now();
  return (await queryInvitations(deps, orgId))
    .filter((inv) => inv.status === 'pending')
    .sort((a, b) => b.created_at.localeCompare(a.created_at))
    .map((inv) => ({
      ...toWire(inv, now),
      // Stored before the outbox: `unsent` was waiting for a send, as `queued` is.
      email_status: inv.email_status === 'unsent' ? 'queued' : inv.email_status,
      ...(inv.email_status === 'failed' && inv.email_error ? { email_error: inv.email_error } : {}),
    }));
}

/** Revoke invitations by token, all or nothing. A migration waiting on one of them is told by the outbox. */
export async function revokeInvitations(
  deps: Deps,
  caller: Caller,
  orgId: string,
  tokens: string[],
): Promise<void> {
  await requireOrgAdmin(deps, orgId, caller.userId);
  // An invitation accepted or refreshed between the read and the write: read again, so an accepted one answers 404
  // like any invitation no longer pending, and a refreshed one is revoked at its new version.
  await retryLostRace({ attempts: MAX_REVOKE_ATTEMPTS, exhausted: revokeConflict }, async () => {
    const byToken = new Map(
      (await queryInvitations(deps, orgId)).filter((i) => i.status === 'pending').map((i) => [i.token, i]),
    );
    const missing = tokens.filter((t) => !byToken.has(t));
    if (missing.length > 0) {
      throw invitationNotFound(
        `No pending invitation in this organization for ${missing.length === 1 ? 'this token' : `${missing.length} of the tokens`}. Nothing was revoked.`,
      );
    }
    const now = deps.now();
    const invitations = tokens.map((t) => byToken.get(t)!);
    await transact(
      deps.db,
      Object.fromEntries(
        invitations.map((inv) => [
          `invitation:${inv.email}`,
          {
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
          },
        ]),
      ),
    );
  });
}

const MAX_REVOKE_ATTEMPTS = 5;

const revokeConflict = () =>
  new ApiError(
    'organization.conflict',
    'The invitations kept changing while revoking them (other administrators are refreshing them). Nothing was revoked; list the invitations and try again.',
  );
