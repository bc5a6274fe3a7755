/**
 * 2–3. Back up each deployment and project into the user's repository, verify every snapshot, then delete the sources.
 * A snapshot's status says how far its resource got (`verified`, `source_deleted`, `discarded`, `restored`).
 */
import { deleteResourceItem, getResourceItem } from '../../resources/service.ts';
import { updateIf } from '../../shared/db.ts';
import type { Deps } from '../../shared/deps.ts';
import type { MigrationItem, SnapshotItem } from '../../shared/domain.ts';
import { ENTITY, keys } from '../../shared/table.ts';
import { contentChecksum, getSnapshot, putSnapshot } from '../../snapshots/service.ts';
import { mustGetUncancelled, type ResourceRef, StepError, snapshotChecksumOk, snapshotOf } from './common.ts';

export async function backUpResource(
  deps: Deps,
  migrationId: string,
  ref: ResourceRef,
): Promise<{ snapshot: string }> {
  const m = await mustGetUncancelled(deps, migrationId);
  const existing = await getSnapshot(deps, snapshotOf(m, ref));
  if (existing && snapshotChecksumOk(existing)) return { snapshot: `${ref.kind}:${ref.id}` };
  const item = await getResourceItem(deps, m.source_organization_id, ref.kind, ref.id);
  if (!item)
    throw new StepError(
      'BackupFailed',
      `The ${ref.kind} ${ref.id} disappeared from the source organization before it was backed up.`,
    );
  const snapshot: SnapshotItem = {
    entity: ENTITY.snapshot,
    repository_id: m.repository_id,
    migration_id: m.id,
    source_kind: item.kind,
    source_id: item.id,
    source_organization_id: item.organization_id,
    type: item.type,
    name: item.name,
    configuration: item.configuration,
    checksum: contentChecksum(item),
    status: 'taken',
    created_at: deps.now().toISOString(),
  };
  await putSnapshot(deps, snapshot);
  return { snapshot: `${ref.kind}:${ref.id}` };
}

/** 2b. Verify: every planned resource has a snapshot whose content and checksum match the source. */
export async function verifyBackups(deps: Deps, migrationId: string): Promise<void> {
  const m = await mustGetUncancelled(deps, migrationId);
  for (const ref of m.plan?.resources ?? []) {
    const [snap, item] = await Promise.all([
      getSnapshot(deps, snapshotOf(m, ref)),
      getResourceItem(deps, m.source_organization_id, ref.kind, ref.id),
    ]);
    if (!snap || !snapshotChecksumOk(snap) || (item && contentChecksum(item) !== snap.checksum)) {
      throw new StepError(
        'BackupVerificationFailed',
        `The snapshot of ${ref.kind} ${ref.id} is missing or does not match the ${ref.kind}.`,
      );
    }
    if (snap.status === 'taken') await markSnapshot(deps, m, ref, 'verified', 'taken');
  }
}

/** Move a snapshot from one status to the next (a no-op when it already moved on: a retried step). */
async function markSnapshot(
  deps: Deps,
  m: MigrationItem,
  ref: ResourceRef,
  to: SnapshotItem['status'],
  from: SnapshotItem['status'],
): Promise<void> {
  await updateIf(deps.db, snapshotTransition(deps, m, ref, to, from));
}

const snapshotTransition = (
  deps: Deps,
  m: MigrationItem,
  ref: ResourceRef,
  to: SnapshotItem['status'],
  from: SnapshotItem['status'],
) => ({
  TableName: deps.table,
  Key: keys.snapshot(m.repository_id, m.id, ref.kind, ref.id),
  UpdateExpression: 'SET #status = :to',
  ConditionExpression: '#status = :from',
  ExpressionAttributeNames: { '#status': 'status' },
  ExpressionAttributeValues: { ':to': to, ':from': from },
});

/** 3. Delete the backed-up resources from the source organization (only those with a verified snapshot). */
export async function deleteSourceResources(deps: Deps, migrationId: string): Promise<void> {
  const m = await mustGetUncancelled(deps, migrationId);
  for (const ref of m.plan?.resources ?? []) {
    const snap = await getSnapshot(deps, snapshotOf(m, ref));
    if (snap?.status === 'source_deleted' || snap?.status === 'discarded') continue; // done by an earlier attempt
    if (snap?.status !== 'verified')
      throw new StepError('DeleteRefused', `No verified snapshot of ${ref.kind} ${ref.id}: not deleting it.`);
    // The delete and the snapshot's `source_deleted` commit together, so a source that is gone without that mark was
    // deleted by someone else after the backup: it stays deleted (its snapshot is `discarded`, never restored).
    const deleted = await deleteResourceItem(deps, m.source_organization_id, ref.kind, ref.id, {
      snapshot: { Update: snapshotTransition(deps, m, ref, 'source_deleted', 'verified') },
    });
    if (!deleted) await markSnapshot(deps, m, ref, 'discarded', 'verified');
  }
}

/** 4. Leave the source organization (closing it when the user was its sole member). */
