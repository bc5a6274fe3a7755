/** Snapshot repositories belong to a user (not an organization), so they survive leaving. */
import { createHash } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { decodeConfiguration, encodeConfiguration } from '../resources/configuration.ts';
import { getItem, queryPrefix } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { ResourceItem, SnapshotItem, SnapshotRepositoryItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { ENTITY, keys } from '../shared/table.ts';

export const repositoryNotFound = () =>
  new ApiError('snapshot_repository.not_found', 'Snapshot repository not found among your repositories.');

const view = ({ entity: _e, ...r }: SnapshotRepositoryItem) => r;

export async function createRepository(deps: Deps, caller: Caller, name: string) {
  const repo: SnapshotRepositoryItem = {
    entity: ENTITY.snapshotRepository,
    id: deps.newId(),
    user_id: caller.userId,
    name,
    created_at: deps.now().toISOString(),
  };
  await deps.db.send(
    new PutCommand({
      TableName: deps.table,
      Item: { ...keys.snapshotRepository(caller.userId, repo.id), ...repo },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return view(repo);
}

export async function listRepositories(deps: Deps, caller: Caller) {
  const { pk, skPrefix } = keys.repositoriesPrefix(caller.userId);
  return (await queryPrefix<SnapshotRepositoryItem>(deps.db, deps.table, pk, skPrefix)).map(view);
}

export async function getRepository(
  deps: Deps,
  userId: string,
  repoId: string,
): Promise<SnapshotRepositoryItem | undefined> {
  return getItem<SnapshotRepositoryItem>(deps.db, deps.table, keys.snapshotRepository(userId, repoId));
}

export async function querySnapshots(deps: Deps, repoId: string): Promise<SnapshotItem[]> {
  const { pk, skPrefix } = keys.snapshotsPrefix(repoId);
  return (await queryPrefix<SnapshotItem>(deps.db, deps.table, pk, skPrefix)).map(decodeConfiguration);
}

const snapshotKey = (s: Pick<SnapshotItem, 'repository_id' | 'migration_id' | 'source_kind' | 'source_id'>) =>
  keys.snapshot(s.repository_id, s.migration_id, s.source_kind, s.source_id);

export async function getSnapshot(
  deps: Deps,
  at: Pick<SnapshotItem, 'repository_id' | 'migration_id' | 'source_kind' | 'source_id'>,
): Promise<SnapshotItem | undefined> {
  return decodeConfiguration(await getItem<SnapshotItem>(deps.db, deps.table, snapshotKey(at)));
}

export async function putSnapshot(deps: Deps, snapshot: SnapshotItem): Promise<void> {
  await deps.db.send(
    new PutCommand({
      TableName: deps.table,
      Item: { ...snapshotKey(snapshot), ...encodeConfiguration(snapshot) },
    }),
  );
}

export async function listSnapshots(deps: Deps, caller: Caller, repoId: string) {
  if (!(await getRepository(deps, caller.userId, repoId))) throw repositoryNotFound();
  return (await querySnapshots(deps, repoId)).map(({ entity: _e, ...s }) => s);
}

/** Canonical JSON (sorted keys), so equal content always has the same checksum. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What must survive a move exactly: kind, type, name and configuration. */
export const contentChecksum = (r: Pick<ResourceItem, 'kind' | 'type' | 'name' | 'configuration'>): string =>
  createHash('sha256')
    .update(canonical({ kind: r.kind, type: r.type, name: r.name, configuration: r.configuration }))
    .digest('hex');
