/** Cancelling a running migration, and re-running the restore of one that ended without it. */
import { orgNotFound } from '../organizations/service.ts';
import { batchGet, keyId } from '../shared/db.ts';
import type { Callbacks, Deps } from '../shared/deps.ts';
import type { MigrationItem, OrganizationItem, UserItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { log } from '../shared/log.ts';
import { METRIC } from '../shared/observability.ts';
import { keys } from '../shared/table.ts';
import { END_STATE, RESTORE_RERUN } from './progress.ts';
import { getOwnMigration, toView } from './service.ts';
import { unmarkInvitation } from './steps/handoff.ts';
import { restoreAll } from './steps/restore.ts';
import { claimOnRunning, getMigration, releaseLock, updateMigration } from './store.ts';

/**
 * Cancel a running migration. Before it leaves the source organization, the cancel is recorded and the workflow's next
 * step rolls back exactly as a failure would (the leave step claims `leaving_at` only while no cancel is recorded, so
 * one of the two wins). Once it has left, the execution is stopped and the migration ends `cancelled` with every
 * snapshot kept for `_restore`. Safe to repeat.
 */
export async function cancelMigration(deps: Deps & Callbacks, caller: Caller, id: string) {
  const m = await getOwnMigration(deps, caller, id);
  if (m.status !== 'running') throw cannotCancel(m);
  const now = deps.now().toISOString();
  if (!m.leaving_at) {
    const asked = await claimOnRunning(deps, id, { cancel_requested_at: now }, ['leaving_at']);
    if (asked) {
      // A person's choice, not a fault: INFO, like the step that then hands over to the rollback.
      log('info', 'migration cancel requested: the workflow rolls back', { migration: id });
      return toView(asked);
    }
    // The leave step claimed first, or the migration ended: decide again with what is true now.
    return cancelMigration(deps, caller, id);
  }
  if (!m.left_at) {
    throw new ApiError(
      'migration.busy',
      'The migration is leaving the source organization right now. Try again in a few seconds.',
      undefined,
      { 'retry-after': '2' },
    );
  }
  // Past the wait, the restore may have begun: it and the cancel claim the migration against each other.
  if (!(await claimOnRunning(deps, id, { cancel_requested_at: now }, ['restoring_at']))) {
    const after = (await getMigration(deps, id))!;
    if (after.status !== 'running') throw cannotCancel(after);
    throw new ApiError(
      'migration.cancel_not_possible',
      'You accepted the invitation and the restore into the target organization has begun: it can no longer be cancelled. It finishes on its own in a few moments.',
    );
  }
  const cause = `You cancelled the migration after it left the source organization. ${
    m.plan?.resources.length
      ? `Your ${m.plan.resources.length} snapshot(s) are intact in repository ${m.repository_id}: accept an invitation to the target organization, then POST /api/v1/migrations/${m.id}/_restore to bring them there.`
      : 'You had no deployments to bring.'
  }`;
  // Stop first: a migration marked cancelled whose execution still ran could restore after all.
  await deps.workflow.stop(id, 'MigrationCancelled', cause);
  await unmarkInvitation(deps, m); // a stopped move no longer restores on acceptance
  try {
    const done = await updateMigration(
      deps,
      id,
      {
        status: 'cancelled',
        current_step: END_STATE.cancelled,
        error: 'MigrationCancelled',
        cause,
        finished_at: now,
        cancel_requested_at: now,
      },
      undefined,
      [],
      'running',
    );
    deps.metrics.count(METRIC.migrationsCancelled);
    log('info', 'migration cancelled after leaving: execution stopped, snapshots kept', { migration: id });
    await releaseLock(deps, caller.userId, id);
    return toView(done);
  } catch (e) {
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    throw cannotCancel((await getMigration(deps, id))!); // it ended on its own first
  }
}

const cannotCancel = (m: MigrationItem) =>
  new ApiError(
    'migration.cancel_not_possible',
    m.status === 'cancelled'
      ? 'This migration is already cancelled.'
      : `This migration has already ${m.status === 'succeeded' ? 'succeeded' : 'ended'}: there is nothing to cancel.`,
  );

/**
 * Re-run the restore after a failure past the leave step, once the caller has joined the target organization. Safe to
 * retry: a restore that finished (or finished first, racing this one) answers with its outcome.
 */
export async function rerunRestore(deps: Deps, caller: Caller, id: string) {
  const m = await getOwnMigration(deps, caller, id);
  // A retry of a restore that finished (its answer was lost): the same answer again.
  if (m.status === 'succeeded' && m.history.at(-1)?.step === RESTORE_RERUN) return toView(m);
  if ((m.status !== 'failed' && m.status !== 'cancelled') || !m.left_at) {
    throw new ApiError(
      'migration.restore_not_possible',
      'Only a migration that stopped after leaving the source organization can be restored.',
    );
  }
  const userKey = keys.user(caller.userId);
  const tgtKey = keys.organization(m.target_organization_id);
  const found = await batchGet(deps.db, deps.table, [userKey, tgtKey]);
  const user = found.get(keyId(userKey)) as UserItem | undefined;
  if ((found.get(keyId(tgtKey)) as OrganizationItem | undefined)?.status !== 'open') throw orgNotFound();
  if (user?.organization_id !== m.target_organization_id) {
    throw new ApiError(
      'migration.restore_not_possible',
      'Join the target organization first: accept its invitation (ask for a new one if it expired), then restore.',
    );
  }
  const started = deps.now().toISOString();
  const restored = await restoreAll(deps, m); // idempotent: deterministic ids, so two runs restore once
  try {
    const done = await updateMigration(
      deps,
      m.id,
      {
        status: 'succeeded',
        current_step: END_STATE.succeeded,
        restored,
        finished_at: deps.now().toISOString(),
      },
      {
        step: RESTORE_RERUN,
        status: 'succeeded',
        started_at: started,
        finished_at: deps.now().toISOString(),
      },
      ['error', 'cause'],
      m.status,
    );
    return toView(done);
  } catch (e) {
    // Another restore of this migration finished first: its outcome is ours.
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    return toView((await getMigration(deps, m.id))!);
  }
}
