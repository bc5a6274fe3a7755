/**
 * The end of a migration: roll back what ran before the leave (remove partial backups, recreate deleted sources), record
 * how it ended with a cause that describes the state as it is now, and tell the user by email.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { migrationLink, migrationOutcomeEmail } from '../../invitations/render.ts';
import { releaseReservation } from '../../invitations/workflow.ts';
import { getResourceItem } from '../../resources/service.ts';
import { getItem } from '../../shared/db.ts';
import type { Deps, Mailing } from '../../shared/deps.ts';
import type { MigrationItem, OrganizationItem } from '../../shared/domain.ts';
import { METRIC } from '../../shared/observability.ts';
import { keys } from '../../shared/table.ts';
import { getSnapshot, querySnapshots } from '../../snapshots/service.ts';
import { END_STATE, stepsView } from '../progress.ts';
import { releaseLock, TARGET_CLOSED, updateMigration } from '../store.ts';
import { CANCELLED, getUser, mustGetMigration, type ResourceRef, snapshotOf } from './common.ts';
import { unmarkInvitation } from './handoff.ts';
import { mustBeInTarget, restoreInto } from './restore.ts';

export async function removePartialBackups(deps: Deps, migrationId: string): Promise<void> {
  const m = await mustGetMigration(deps, migrationId);
  for (const ref of m.plan?.resources ?? []) {
    if (!(await getResourceItem(deps, m.source_organization_id, ref.kind, ref.id))) return; // something was deleted: keep every snapshot
  }
  const mine = (await querySnapshots(deps, m.repository_id)).filter((s) => s.migration_id === m.id);
  await Promise.all(
    mine.map((s) =>
      deps.db.send(
        new DeleteCommand({
          TableName: deps.table,
          Key: keys.snapshot(m.repository_id, m.id, s.source_kind, s.source_id),
        }),
      ),
    ),
  );
}

/** Compensation after deleting, before leaving: recreate deleted resources in the source, with their own ids. */
export async function recreateDeleted(deps: Deps, migrationId: string): Promise<void> {
  const m = await mustGetMigration(deps, migrationId);
  const user = await getUser(deps, m.user_id);
  if (user?.organization_id !== m.source_organization_id) return; // already left: the snapshots stay for a restore
  for (const ref of m.plan?.resources ?? []) {
    if (await getResourceItem(deps, m.source_organization_id, ref.kind, ref.id)) continue;
    if (await getSnapshot(deps, snapshotOf(m, ref)))
      await restoreInto(deps, m, ref, m.source_organization_id, ref.id);
  }
}

/** How a migration ended, as the execution's output says it (and its Fail state's error and cause, when it failed). */
export interface Outcome {
  migration_id: string;
  outcome: 'succeeded' | 'failed' | 'cancelled';
  error?: string;
  cause?: string;
}

const outcomeOf = (m: MigrationItem): Outcome => ({
  migration_id: m.id,
  outcome: m.status === 'running' ? 'failed' : m.status,
  ...(m.error ? { error: m.error } : {}),
  ...(m.cause ? { cause: m.cause } : {}),
});

/**
 * 8. Record the outcome and release the user's migration lock. What it returns is the execution's output and decides
 * its end state: `Migration succeeded`, `Migration cancelled` (a Succeed state: a cancel is the user's choice, not a
 * failure to alarm on) or `Migration failed` (a Fail state with this error and cause).
 */
export async function recordOutcome(
  deps: Deps,
  migrationId: string,
  outcome: 'succeeded' | 'failed',
  error?: { Error?: string; Cause?: string },
): Promise<Outcome> {
  const m = await mustGetMigration(deps, migrationId);
  const now = deps.now().toISOString();
  if (m.status !== 'running') return outcomeOf(m); // ended already (cancelled after leaving, or a retried task)
  if (outcome === 'succeeded') {
    await mustBeInTarget(deps, m);
    const ended = await endMigration(deps, m, {
      status: 'succeeded',
      current_step: END_STATE.succeeded,
      finished_at: now,
    });
    return outcomeOf(ended);
  }
  const expired =
    error?.Error === 'States.Timeout' ||
    error?.Error === 'InvitationExpired' ||
    error?.Error === 'InvitationRevoked';
  const detail = readableCause(error?.Cause);
  const count = m.plan?.resources.length ?? 0;
  const kept =
    count > 0
      ? `Your ${count} snapshot(s) are intact in repository ${m.repository_id}.`
      : 'You had no deployments to bring.';
  let name: string;
  let cause: string;
  if (!m.left_at) {
    // Say what is true now (after the compensation): the step that failed may be "you are no longer a member"
    // (removed meanwhile), and a deployment deleted during the move (by the user, say, during the backup) stays deleted.
    const stillMember = (await getUser(deps, m.user_id))?.organization_id === m.source_organization_id;
    const gone = await goneFromSource(deps, m);
    const except = gone.length
      ? ` except ${gone.map((r) => `${r.kind} ${r.id}`).join(', ')}, deleted while the migration ran`
      : '';
    const after = stillMember
      ? gone.length
        ? `You are still a member of the source organization, and every deployment and project is still there${except}.`
        : 'Nothing changed: you are still a member of the source organization and every deployment is still there.'
      : `The migration moved nothing: every deployment${gone.length ? ' and project' : ''} is still in the source organization${except}.`;
    if (error?.Error === CANCELLED) {
      name = CANCELLED;
      cause = `You cancelled the migration before it left the source organization. ${after}`;
    } else {
      name = 'MigrationRolledBack';
      // The step that failed, not the compensation that ran after it (the current step by now).
      const failed = stepsView({ ...m, status: 'failed' }).find((v) => v.status === 'failed')?.step;
      cause = `Stopped at "${failed ?? m.current_step}": ${detail} ${after}`;
    }
    await releaseReservation(deps, m.target_organization_id, m.email, m.user_id);
  } else if (error?.Error === TARGET_CLOSED) {
    name = TARGET_CLOSED;
    cause = `The target organization was closed while this migration waited for you to accept its invitation, so nothing can be restored there. You have left the source organization. ${kept} Ask to be invited to another organization; the snapshots stay in your repository.`;
  } else if (error?.Error === 'JoinedAnotherOrganization') {
    // Sent by the outbox when the user joined an organization other than the target during the wait.
    name = 'JoinedAnotherOrganization';
    cause = `${detail} ${kept} To finish moving, leave that organization, accept an invitation to the target organization, then POST /api/v1/migrations/${m.id}/_restore.`;
  } else if (expired) {
    name = 'InvitationExpired';
    cause = `The invitation to the target organization expired or was revoked before you accepted it. ${kept} Ask an administrator of the target organization to invite you again, accept it, then POST /api/v1/migrations/${m.id}/_restore.`;
  } else {
    name = 'RestorePending';
    cause = `Stopped at "${m.current_step}": ${detail} You have left the source organization. ${kept} Accept the invitation if you have not, then POST /api/v1/migrations/${m.id}/_restore.`;
  }
  const status = name === CANCELLED ? 'cancelled' : 'failed';
  const ended = await endMigration(deps, m, {
    status,
    current_step: END_STATE[status],
    error: name,
    cause,
    finished_at: now,
  });
  return outcomeOf(ended);
}

/** The planned deployments and projects that are no longer in the source organization. */
async function goneFromSource(deps: Deps, m: MigrationItem): Promise<ResourceRef[]> {
  const refs = m.plan?.resources ?? [];
  const found = await Promise.all(
    refs.map((ref) => getResourceItem(deps, m.source_organization_id, ref.kind, ref.id)),
  );
  return refs.filter((_, i) => !found[i]);
}

const OUTCOME_METRIC = {
  succeeded: METRIC.migrationsSucceeded,
  failed: METRIC.migrationsFailed,
  cancelled: METRIC.migrationsCancelled,
} as const;

/**
 * End a running migration (a transition: a migration a cancel already ended keeps that outcome) and release the
 * user's migration lock. Returns the migration as it ended.
 */
export async function endMigration(
  deps: Deps,
  m: MigrationItem,
  set: Partial<MigrationItem>,
): Promise<MigrationItem> {
  let ended: MigrationItem;
  try {
    ended = await updateMigration(deps, m.id, set, undefined, [], 'running');
    // Counted on the transition only: a retried task, or a cancel that ended it first, counts nothing here.
    const outcome = OUTCOME_METRIC[set.status as keyof typeof OUTCOME_METRIC];
    if (outcome) deps.metrics.count(outcome);
  } catch (e) {
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    ended = await mustGetMigration(deps, m.id);
  }
  await releaseLock(deps, m.user_id, m.id);
  return ended;
}

function readableCause(raw: string | undefined): string {
  if (!raw) return 'an unexpected error.';
  try {
    const parsed = JSON.parse(raw) as { errorMessage?: string };
    if (parsed.errorMessage) return parsed.errorMessage;
  } catch {
    // not JSON: use as is
  }
  return raw.slice(0, 500);
}

/** 8b. Email the user a summary of the outcome, naming the target organization, with a link to the migration. */
export async function notifyUser(deps: Deps & Mailing, migrationId: string): Promise<void> {
  const m = await mustGetMigration(deps, migrationId);
  // A failed or cancelled move no longer restores on acceptance: a later invitation email must not promise it.
  if (m.status === 'failed' || m.status === 'cancelled') await unmarkInvitation(deps, m);
  const target = await getItem<OrganizationItem>(
    deps.db,
    deps.table,
    keys.organization(m.target_organization_id),
  );
  await deps.mailer.send(
    migrationOutcomeEmail({
      to: m.email,
      succeeded: m.status === 'succeeded',
      targetName: target?.name ?? m.target_organization_id,
      restoredCount: m.plan?.resources.length ?? 0,
      ...(m.error ? { error: m.error } : {}),
      ...(m.cause ? { cause: m.cause } : {}),
      link: migrationLink(deps.publicBaseUrl, m.id),
    }),
  );
}
