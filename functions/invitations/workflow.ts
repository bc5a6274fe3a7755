/**
 * What the migration workflow does to the invitation it waits on: refresh it when it re-invites, store its task token
 * so an accept resumes it, and release the invitation when the migration ends without leaving.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { updateIf } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { InvitationItem } from '../shared/domain.ts';
import { retryLostRace } from '../shared/races.ts';
import { keys, TABLE, ttlAt } from '../shared/table.ts';
import { getInvitationByEmail, isExpired, RETENTION_MS } from './store.ts';

const MAX_WRITE_ATTEMPTS = 8;

/** A workflow step's transient failure: the state machine retries the step. */
const changing = (doing: string) => () =>
  Object.assign(new Error(`The invitation kept changing while ${doing}`), { name: 'TransientError' });

/**
 * The migration's re-invite: refresh a pending invitation so its lifetime starts now, and queue its email (the outbox
 * sends it). Returns the invitation as it now is; an accepted one is returned untouched. Anything else (revoked,
 * expired, missing) is undefined.
 */
export async function refreshForMigration(
  deps: Deps,
  orgId: string,
  email: string,
  lifetimeMs: number,
): Promise<InvitationItem | undefined> {
  return retryLostRace({ attempts: MAX_WRITE_ATTEMPTS, exhausted: changing('refreshing it') }, async () => {
    const inv = await getInvitationByEmail(deps, orgId, email);
    const now = deps.now();
    if (!inv || inv.status === 'revoked' || (inv.status === 'pending' && isExpired(inv, now)))
      return undefined;
    if (inv.status === 'accepted') return inv;
    const expiresAt = new Date(now.getTime() + lifetimeMs);
    const next: InvitationItem = {
      ...inv,
      expires_at: expiresAt.toISOString(),
      email_status: 'queued',
      email_version: inv.version + 1,
      version: inv.version + 1,
      ttl: ttlAt(new Date(expiresAt.getTime() + RETENTION_MS)),
    };
    // Accepted, revoked or refreshed in between: a failed condition reads again and decides again.
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: keys.invitation(orgId, email),
        UpdateExpression:
          'SET expires_at = :exp, email_status = :queued, email_version = :next, version = :next, #ttl = :ttl REMOVE email_error',
        ConditionExpression: '#status = :pending AND version = :v',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': TABLE.ttlAttribute },
        ExpressionAttributeValues: {
          ':exp': next.expires_at,
          ':queued': 'queued',
          ':next': next.version,
          ':ttl': next.ttl,
          ':pending': 'pending',
          ':v': inv.version,
        },
      }),
    );
    return next;
  });
}

/**
 * Store a workflow's task token on a pending invitation so that accepting it resumes the workflow. Returns 'stored',
 * 'accepted' (accepted already: the caller resumes the workflow itself) or 'gone' (revoked or expired).
 */
export async function attachTaskToken(
  deps: Deps,
  orgId: string,
  email: string,
  userId: string,
  taskToken: string,
): Promise<'stored' | 'accepted' | 'gone'> {
  return retryLostRace({ attempts: MAX_WRITE_ATTEMPTS, exhausted: changing('waiting on it') }, async () => {
    const inv = await getInvitationByEmail(deps, orgId, email);
    if (inv?.status === 'accepted' && inv.accepted_by === userId) return 'accepted';
    if (inv?.status !== 'pending' || isExpired(inv, deps.now())) return 'gone';
    // Accepted (or refreshed) in between: a failed condition reads again and decides again.
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: keys.invitation(orgId, email),
        // A new version: an accept or revoke that read the invitation before the token was stored must read again
        // (and so see the token), or the hand-off would have a window.
        UpdateExpression: 'SET task_token = :t, version = version + :one',
        ConditionExpression: '#status = :pending AND version = :v',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':t': taskToken, ':pending': 'pending', ':v': inv.version, ':one': 1 },
      }),
    );
    return 'stored' as const;
  });
}

/** Unbind an invitation from a migrating user whose migration ended without leaving (anyone invited may accept again). */
export async function releaseReservation(
  deps: Deps,
  orgId: string,
  email: string,
  userId: string,
): Promise<void> {
  // A failed condition: not bound to them, nothing to release.
  await updateIf(deps.db, {
    TableName: deps.table,
    Key: keys.invitation(orgId, email),
    UpdateExpression: 'REMOVE reserved_for SET version = version + :one',
    ConditionExpression: 'reserved_for = :uid',
    ExpressionAttributeValues: { ':uid': userId, ':one': 1 },
  });
}
