/** The migration API: start one (the workflow does the work), read its progress, re-run a restore. */
import { DeleteCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { isExpired } from '../invitations/service.ts';
import { ensureUser, orgNotFound } from '../organizations/service.ts';
import { batchGet, conditionsFailed, keyId, stripKeys } from '../shared/db.ts';
import type { Callbacks, Deps } from '../shared/deps.ts';
import type { InvitationItem, MigrationItem, OrganizationItem, UserItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import { type Caller, ID_PATTERN } from '../shared/http.ts';
import * as z from '../shared/schema.ts';
import { ENTITY, keys } from '../shared/table.ts';
import { repositoryNotFound } from '../snapshots/service.ts';
import { RESTORE_RERUN, stepsView } from './progress.ts';
import { restoreAll } from './steps.ts';
import { getMigration, releaseLock, updateMigration } from './store.ts';

export const migrationRequest = z.strictObject({
  target_organization_id: z.string().check(z.regex(ID_PATTERN, 'must be an organization id')),
  repository_id: z.string().check(z.regex(ID_PATTERN, 'must be a repository id')),
});

export const migrationNotFound = () => new ApiError('migration.not_found', 'Migration not found.');

/**
 * What the console shows: the migration and every step of the workflow (`history`, see `progress.ts`), each with its
 * status, its times when known and, on failure, the error.
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
  ...(m.left_at ? { left_at: m.left_at } : {}),
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
    throw new ApiError(
      'migration.invitation_required',
      `You need a pending invitation to the target organization for ${caller.email}. Ask one of its administrators to invite you, then start the migration.`,
      ['target_organization_id'],
    );
  }
  if (!found.has(keyId(repoKey))) throw repositoryNotFound();

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
        ],
      }),
    );
  } catch (e) {
    if (conditionsFailed(e)?.[1])
      throw new ApiError('migration.already_active', 'You already have a migration in progress.');
    throw e;
  }
  try {
    await deps.workflow.start(migration.id, { migration_id: migration.id });
  } catch (e) {
    // Nothing ran: forget the migration so the request can simply be retried.
    await releaseLock(deps, caller.userId, migration.id);
    await deps.db.send(new DeleteCommand({ TableName: deps.table, Key: keys.migration(migration.id) }));
    throw e;
  }
  return { created: true, migration: toView(migration) };
}

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
 * Re-run the restore after a failure past the leave step, once the caller has joined the target organization. Safe to
 * retry: a restore that finished (or finished first, racing this one) answers with its outcome.
 */
export async function rerunRestore(deps: Deps, caller: Caller, id: string) {
  const m = await getOwnMigration(deps, caller, id);
  // A retry of a restore that finished (its answer was lost): the same answer again.
  if (m.status === 'succeeded' && m.history.at(-1)?.step === RESTORE_RERUN) return toView(m);
  if (m.status !== 'failed' || !m.left_at) {
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
      'failed',
    );
    return toView(done);
  } catch (e) {
    // Another restore of this migration finished first: its outcome is ours.
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    return toView((await getMigration(deps, m.id))!);
  }
}
