/** The migration API: start one (the workflow does the work), read its progress, re-run a restore. */
import { DeleteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { isExpired, releaseReservation } from '../invitations/service.ts';
import { ensureUser, orgNotFound } from '../organizations/service.ts';
import { batchGet, conditionsFailed, getItem, keyId, stripKeys } from '../shared/db.ts';
import type { Callbacks, Deps } from '../shared/deps.ts';
import type { InvitationItem, MigrationItem, OrganizationItem, UserItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { METRIC } from '../shared/observability.ts';
import type * as z from '../shared/schema.ts';
import { ENTITY, keys } from '../shared/table.ts';
import { repositoryNotFound } from '../snapshots/service.ts';
import { RESTORE_RERUN, stepsView } from './progress.ts';
import type { migrationRequest } from './schemas.ts';
import { restoreAll, unmarkInvitation } from './steps.ts';
import { claimOnRunning, getMigration, releaseLock, updateMigration } from './store.ts';

export const migrationNotFound = () => new ApiError('migration.not_found', 'Migration not found.');

/**
 * What the console shows: the migration and every step of the workflow (`history`, see `progress.ts`), each with its
 * status, its times when known and, on failure, the error. Fields are picked, never spread: the wait's task token
 * (and whatever else the item learns to hold) stays out.
 */
export const toView = (m: MigrationItem) => ({
  id: m.id,
  user_id: m.user_id,
  email: m.email,
  source_organization_id: m.source_organization_id,
  target_organization_id: m.target_organization_id,
  repository_id: m.repository_id,
  status: m.status,
  current_step: m.current_step,
  history: stepsView(m),
  ...(m.plan ? { plan: m.plan } : {}),
  ...(m.leaving_at ? { leaving_at: m.leaving_at } : {}),
  ...(m.left_at ? { left_at: m.left_at } : {}),
  ...(m.cancel_requested_at ? { cancel_requested_at: m.cancel_requested_at } : {}),
  ...(m.restored ? { restored: m.restored } : {}),
  ...(m.error ? { error: m.error } : {}),
  ...(m.cause ? { cause: m.cause } : {}),
  created_at: m.created_at,
  updated_at: m.updated_at,
  ...(m.finished_at ? { finished_at: m.finished_at } : {}),
});

/**
 * Start a migration to `target`. Preconditions: the caller belongs to an organization, the target is another open
 * organization with a pending invitation for the caller's email (the target admin's consent), the repository is the
 * caller's, and no other migration of theirs is active. A repeated request returns the active migration.
 */
export async function startMigration(
  deps: Deps & Callbacks,
  caller: Caller,
  input: z.infer<typeof migrationRequest>,
): Promise<{ created: boolean; migration: ReturnType<typeof toView> }> {
  const user = await ensureUser(deps, caller);
  if (!user.organization_id) {
    throw new ApiError(
      'migration.not_member',
      'You are not a member of an organization: accept the invitation directly instead.',
    );
  }
  if (user.organization_id === input.target_organization_id) {
    throw new ApiError('migration.invalid_target', 'You are already a member of the target organization.', [
      'target_organization_id',
    ]);
  }
  if ((user as UserItem & { active_migration_id?: string }).active_migration_id) {
    const active = await getMigration(
      deps,
      (user as UserItem & { active_migration_id: string }).active_migration_id,
    );
    if (
      active?.status === 'running' &&
      active.target_organization_id === input.target_organization_id &&
      active.repository_id === input.repository_id
    ) {
      await deps.workflow.start(active.id, { migration_id: active.id }).catch(ignoreAlreadyStarted);
      return { created: false, migration: toView(active) };
    }
    if (active?.status === 'running') {
      throw new ApiError(
        'migration.already_active',
        `You already have a migration in progress (${active.id}). Wait for it to finish.`,
      );
    }
  }
  // Target, invitation and repository in one read.
  const tgtKey = keys.organization(input.target_organization_id);
  const invKey = keys.invitation(input.target_organization_id, caller.email);
  const repoKey = keys.snapshotRepository(caller.userId, input.repository_id);
  const found = await batchGet(deps.db, deps.table, [tgtKey, invKey, repoKey]);
  const target = found.get(keyId(tgtKey)) as OrganizationItem | undefined;
  const invitation = found.get(keyId(invKey)) as InvitationItem | undefined;
  // Without an invitation the caller learns nothing about whether the organization exists.
  if (target?.status !== 'open' || invitation?.status !== 'pending' || isExpired(invitation, deps.now())) {
    throw invitationRequired(caller.email);
  }
  if (!found.has(keyId(repoKey))) throw repositoryNotFound();
  if (invitation.reserved_for && invitation.reserved_for !== caller.userId) throw invitationReserved();

  const now = deps.now().toISOString();
  const migration: MigrationItem = {
    entity: ENTITY.migration,
    id: deps.newId(),
    user_id: caller.userId,
    email: caller.email,
    source_organization_id: user.organization_id,
    target_organization_id: input.target_organization_id,
    repository_id: input.repository_id,
    status: 'running',
    current_step: 'Starting',
    history: [],
    created_at: now,
    updated_at: now,
  };
  try {
    await deps.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: deps.table,
              Item: {
                ...keys.migration(migration.id),
                ...keys.migrationsOfUser(caller.userId, now),
                ...migration,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: deps.table,
              Key: keys.user(caller.userId),
              UpdateExpression: 'SET active_migration_id = :id',
              ConditionExpression: 'attribute_not_exists(active_migration_id)',
              ExpressionAttributeValues: { ':id': migration.id },
            },
          },
          {
            // Bind the invitation to this user: from now on only their accept consumes it (and resumes the workflow).
            // A new version, so a refresh that read it before carries the binding over.
            Update: {
              TableName: deps.table,
              Key: invKey,
              UpdateExpression: 'SET reserved_for = :uid, version = version + :one',
              ConditionExpression:
                '#status = :pending AND expires_at > :now AND (attribute_not_exists(reserved_for) OR reserved_for = :uid)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':uid': caller.userId,
                ':one': 1,
                ':pending': 'pending',
                ':now': now,
              },
            },
          },
        ],
      }),
    );
  } catch (e) {
    const failed = conditionsFailed(e);
    if (failed?.[1]) {
      // Another start won the lock: the same request sent twice at once answers with the migration it started.
      const lock = await getItem<UserItem & { active_migration_id?: string }>(
        deps.db,
        deps.table,
        keys.user(caller.userId),
      );
      const active = lock?.active_migration_id
        ? await getMigration(deps, lock.active_migration_id)
        : undefined;
      if (
        active?.status === 'running' &&
        active.target_organization_id === input.target_organization_id &&
        active.repository_id === input.repository_id
      )
        return { created: false, migration: toView(active) };
      throw new ApiError('migration.already_active', 'You already have a migration in progress.');
    }
    if (failed?.[2]) {
      const current = await getItem<InvitationItem>(deps.db, deps.table, invKey);
      if (current?.reserved_for && current.reserved_for !== caller.userId) throw invitationReserved();
      throw invitationRequired(caller.email);
    }
    throw e;
  }
  try {
    await deps.workflow.start(migration.id, { migration_id: migration.id });
  } catch (e) {
    // Nothing ran: forget the migration so the request can simply be retried.
    await releaseLock(deps, caller.userId, migration.id);
    await releaseReservation(deps, input.target_organization_id, caller.email, caller.userId);
    await deps.db.send(new DeleteCommand({ TableName: deps.table, Key: keys.migration(migration.id) }));
    throw e;
  }
  deps.metrics.count(METRIC.migrationsStarted);
  return { created: true, migration: toView(migration) };
}

const invitationRequired = (email: string) =>
  new ApiError(
    'migration.invitation_required',
    `You need a pending invitation to the target organization for ${email}. Ask one of its administrators to invite you, then start the migration.`,
    ['target_organization_id'],
  );

const invitationReserved = () =>
  new ApiError(
    'migration.invitation_reserved',
    'The invitation to the target organization is bound to another account that is moving there with the same email address. Ask an administrator of the target organization for an invitation of your own once that move is over.',
    ['target_organization_id'],
  );

const ignoreAlreadyStarted = (e: Error) => {
  if (e.name !== 'ExecutionAlreadyExists') throw e;
};

export async function getOwnMigration(deps: Deps, caller: Caller, id: string): Promise<MigrationItem> {
  const m = await getMigration(deps, id);
  if (!m || m.user_id !== caller.userId) throw migrationNotFound();
  return m;
}

export async function listMigrations(deps: Deps, caller: Caller) {
  const k = keys.migrationsOfUser(caller.userId, '');
  const out = await deps.db.send(
    new QueryCommand({
      TableName: deps.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': k.gsi1pk },
      ScanIndexForward: false,
      Limit: 50,
    }),
  );
  return (out.Items ?? []).map((i) => toView(stripKeys<MigrationItem>(i)));
}

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
    if (asked) return toView(asked);
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
        current_step: 'Migration cancelled',
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
        current_step: 'Migration succeeded',
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
