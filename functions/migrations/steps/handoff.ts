/**
 * 4–6. The hand-off: leave the source organization (unless the target closed), re-invite to the target with the
 * invitation bound to the mover, and wait for their accept (the task token is stored on the invitation).
 */
import { attachTaskToken, refreshForMigration } from '../../invitations/workflow.ts';
import { removeMembers } from '../../members/changes.ts';
import { getItem, updateIf } from '../../shared/db.ts';
import type { Callbacks, Deps } from '../../shared/deps.ts';
import type { MigrationItem, OrganizationItem } from '../../shared/domain.ts';
import { isApiError } from '../../shared/errors.ts';
import { keys } from '../../shared/table.ts';
import { claimOnRunning, recordWaitToken, TARGET_CLOSED, updateMigration } from '../store.ts';
import {
  cancelled,
  getUser,
  INVITATION_LIFETIME_MS,
  mustGetMigration,
  mustGetUncancelled,
  StepError,
} from './common.ts';

export async function leaveSource(deps: Deps, migrationId: string): Promise<void> {
  const m = await mustGetUncancelled(deps, migrationId);
  // Claim the leave against a cancel: exactly one of them wins, so a cancel either rolls back or stops after leaving.
  if (
    !m.leaving_at &&
    !(await claimOnRunning(deps, m.id, { leaving_at: deps.now().toISOString() }, ['cancel_requested_at']))
  ) {
    if ((await mustGetMigration(deps, m.id)).cancel_requested_at) throw cancelled();
    throw new StepError('MigrationNotRunning', 'The migration is no longer running.');
  }
  const user = await getUser(deps, m.user_id);
  if (user?.organization_id === m.source_organization_id) {
    try {
      await removeMembers(
        deps,
        { userId: m.user_id, email: m.email, emailVerified: true },
        m.source_organization_id,
        [m.user_id],
        {
          // Leave only for a target that can still take the user, held in the leave's own transaction: a close
          // committed first refuses the leave, and the migration rolls back (a close after it ends the wait instead).
          check: {
            TableName: deps.table,
            Key: keys.organization(m.target_organization_id),
            ConditionExpression: '#status = :open',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':open': 'open' },
          },
          refused: () =>
            new StepError(
              TARGET_CLOSED,
              'The target organization was closed (its last member left), so the migration did not leave the source organization.',
            ),
        },
      );
    } catch (e) {
      if (isApiError(e)) throw new StepError('LeaveRefused', e.message);
      throw e;
    }
  }
  if (!m.left_at) await updateMigration(deps, m.id, { left_at: deps.now().toISOString() });
}

/** 5. Re-invite: refresh the target invitation so its lifetime starts now, and queue its email (the outbox sends it). */
export async function reinvite(
  deps: Deps,
  migrationId: string,
): Promise<{ expires_at: string; accepted: boolean }> {
  const m = await mustGetMigration(deps, migrationId);
  await markInvitationForMove(deps, m);
  const inv = await refreshForMigration(deps, m.target_organization_id, m.email, INVITATION_LIFETIME_MS);
  if (!inv)
    throw new StepError(
      'InvitationExpired',
      'The invitation to the target organization was revoked or expired.',
    );
  return { expires_at: inv.expires_at, accepted: inv.status === 'accepted' };
}

/**
 * Tie the pending target invitation to this migration, so its email (sent now or by whatever sends it later) speaks of
 * the move. The version is bumped so that a concurrent refresh, conditioned on the version it read, re-reads.
 */
async function markInvitationForMove(deps: Deps, m: MigrationItem): Promise<void> {
  // A failed condition: already marked (a retry), or no longer pending; the refresh that follows decides what that means.
  await updateIf(deps.db, {
    TableName: deps.table,
    Key: keys.invitation(m.target_organization_id, m.email),
    UpdateExpression: 'SET migration_id = :m, version = version + :one',
    ConditionExpression: '#status = :pending AND (attribute_not_exists(migration_id) OR migration_id <> :m)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':m': m.id, ':one': 1, ':pending': 'pending' },
  });
}

/** Untie the target invitation from a move that ended without restoring (see `markInvitationForMove`). */
export async function unmarkInvitation(deps: Deps, m: MigrationItem): Promise<void> {
  await updateIf(deps.db, {
    TableName: deps.table,
    Key: keys.invitation(m.target_organization_id, m.email),
    UpdateExpression: 'REMOVE migration_id SET version = version + :one',
    ConditionExpression: 'migration_id = :m',
    ExpressionAttributeValues: { ':m': m.id, ':one': 1 },
  });
}

/** 6. Wait: store the task token on the invitation; accepting it resumes the workflow (or resume now if accepted). */
export async function awaitAcceptance(
  deps: Deps & Callbacks,
  migrationId: string,
  taskToken: string,
): Promise<void> {
  const m = await mustGetMigration(deps, migrationId);
  // Recorded first, so the outbox can end the wait if the user joins another organization meanwhile.
  await recordWaitToken(deps, m.id, taskToken);
  const state = await attachTaskToken(deps, m.target_organization_id, m.email, m.user_id, taskToken);
  // Checked after the token is stored: a close committed before this read is seen here, one after it finds the token
  // (the outbox fails the wait), so the wait never outlives its target.
  const target = await getItem<OrganizationItem>(
    deps.db,
    deps.table,
    keys.organization(m.target_organization_id),
  );
  if (state !== 'accepted' && target?.status !== 'open')
    throw new StepError(TARGET_CLOSED, 'The target organization was closed while this migration waited.');
  if (state === 'gone')
    throw new StepError(
      'InvitationExpired',
      'The invitation to the target organization was revoked or expired.',
    );
  if (state === 'accepted') await deps.workflow.resume(taskToken, { accepted: true });
}

/** The id a restored resource gets: derived from the migration and the source, so a second restore finds the first. */
