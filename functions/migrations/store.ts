/** The migration item: its progress, history and outcome, and the user's one-active-migration lock. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getItem, stripKeys, updateIf } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MigrationHistoryEntry, MigrationItem } from '../shared/domain.ts';
import { keys } from '../shared/table.ts';

/**
 * The error when the target organization closed: during the wait it is the migration's outcome; before the leave it
 * refuses the leave and the migration rolls back.
 */
export const TARGET_CLOSED = 'TargetOrganizationClosed';

export async function getMigration(deps: Deps, id: string): Promise<MigrationItem | undefined> {
  return getItem<MigrationItem>(deps.db, deps.table, keys.migration(id));
}

/**
 * Update a migration (and append to its history). Given `ifStatus`, it is a transition: only a migration in that status
 * changes (otherwise DynamoDB's ConditionalCheckFailedException comes back), and the migration is returned as it now
 * is. Plain updates ask for nothing back: the workflow updates after every step and never reads the answer.
 */
export async function updateMigration(
  deps: Deps,
  id: string,
  set: Partial<MigrationItem>,
  history?: MigrationHistoryEntry,
  remove?: (keyof MigrationItem)[],
): Promise<undefined>;
export async function updateMigration(
  deps: Deps,
  id: string,
  set: Partial<MigrationItem>,
  history: MigrationHistoryEntry | undefined,
  remove: (keyof MigrationItem)[],
  ifStatus: MigrationItem['status'],
): Promise<MigrationItem>;
export async function updateMigration(
  deps: Deps,
  id: string,
  set: Partial<MigrationItem>,
  history?: MigrationHistoryEntry,
  remove: (keyof MigrationItem)[] = [],
  ifStatus?: MigrationItem['status'],
): Promise<MigrationItem | undefined> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':now': deps.now().toISOString() };
  if (ifStatus) {
    names['#status'] = 'status';
    values[':ifStatus'] = ifStatus;
  }
  const parts = ['updated_at = :now'];
  for (const k of remove) names[`#${k}`] = k;
  addAssignments(set, names, values, parts);
  if (history) {
    values[':h'] = [history];
    values[':empty'] = [];
    parts.push('history = list_append(if_not_exists(history, :empty), :h)');
  }
  const out = await deps.db.send(
    new UpdateCommand({
      TableName: deps.table,
      Key: keys.migration(id),
      UpdateExpression: `SET ${parts.join(', ')}${remove.length ? ` REMOVE ${remove.map((k) => `#${k}`).join(', ')}` : ''}`,
      ConditionExpression: `attribute_exists(pk)${ifStatus ? ' AND #status = :ifStatus' : ''}`,
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
      ...(ifStatus ? { ReturnValues: 'ALL_NEW' as const } : {}),
    }),
  );
  return out.Attributes && stripKeys<MigrationItem>(out.Attributes);
}

/**
 * Make `step` the current step of a running migration. Only the first start of a step is recorded: a retried or
 * re-invoked task (or the next iteration of a Map) finds it current already and keeps the first start time. Once the
 * migration ended, its current step stays the end state (`Migration cancelled`...): the email that follows is not
 * where a finished migration is.
 */
export async function enterStep(deps: Deps, id: string, step: string): Promise<void> {
  const now = deps.now().toISOString();
  await updateIf(deps.db, {
    TableName: deps.table,
    Key: keys.migration(id),
    UpdateExpression: 'SET current_step = :step, step_started_at = :now, updated_at = :now',
    ConditionExpression: 'attribute_exists(pk) AND current_step <> :step AND #status = :running',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':step': step, ':now': now, ':running': 'running' },
  });
}

/** `#k = :k` for each attribute of `set`, with its name and value placeholders. */
function addAssignments(
  set: Partial<MigrationItem>,
  names: Record<string, string>,
  values: Record<string, unknown>,
  parts: string[],
): void {
  for (const [k, v] of Object.entries(set)) {
    names[`#${k}`] = k;
    values[`:${k}`] = v;
    parts.push(`#${k} = :${k}`);
  }
}

/** Release the user's one-active-migration lock, if this migration holds it. */
export async function releaseLock(deps: Deps, userId: string, migrationId: string): Promise<void> {
  await updateIf(deps.db, {
    TableName: deps.table,
    Key: keys.user(userId),
    UpdateExpression: 'REMOVE active_migration_id',
    ConditionExpression: 'active_migration_id = :id',
    ExpressionAttributeValues: { ':id': migrationId },
  });
}

/**
 * Set attributes on a running migration only while none of `unlessSet` is set (a claim: the leave step's `leaving_at`
 * against a cancel's `cancel_requested_at`, and the other way round). Returns the migration as it now is, or
 * undefined when the condition failed.
 */
export async function claimOnRunning(
  deps: Deps,
  id: string,
  set: Partial<MigrationItem>,
  unlessSet: (keyof MigrationItem)[],
): Promise<MigrationItem | undefined> {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':running': 'running', ':now': deps.now().toISOString() };
  const parts = ['updated_at = :now'];
  addAssignments(set, names, values, parts);
  for (const k of unlessSet) names[`#${k}`] = k;
  try {
    const out = await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: keys.migration(id),
        UpdateExpression: `SET ${parts.join(', ')}`,
        ConditionExpression: [
          '#status = :running',
          ...unlessSet.map((k) => `attribute_not_exists(#${k})`),
        ].join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return out.Attributes && stripKeys<MigrationItem>(out.Attributes);
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return undefined;
    throw e;
  }
}

/**
 * Record the wait step's task token on a running migration (never shown by the API): the outbox reads it to end the
 * wait when the user joins another organization. A migration that is no longer running keeps what it has.
 */
export async function recordWaitToken(deps: Deps, id: string, taskToken: string): Promise<void> {
  await updateIf(deps.db, {
    TableName: deps.table,
    Key: keys.migration(id),
    UpdateExpression: 'SET task_token = :t',
    ConditionExpression: '#status = :running',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':t': taskToken, ':running': 'running' },
  });
}
