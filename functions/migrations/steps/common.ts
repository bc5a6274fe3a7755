/**
 * What every migration step shares: its errors, the reads that refuse a missing or cancelled migration, snapshot
 * identity. The steps are one module per part of `workflows/migration.asl.json`. Every step may run twice (Step
 * Functions retries, Lambda re-invocations): each reads what is true now and writes with idempotency keys (the migration
 * id and the resource ids), so a second run changes nothing.
 */
import { getItem } from '../../shared/db.ts';
import type { Deps } from '../../shared/deps.ts';
import type { MigrationItem, ResourceKindName, SnapshotItem, UserItem } from '../../shared/domain.ts';
import { keys } from '../../shared/table.ts';
import { contentChecksum } from '../../snapshots/service.ts';
import { getMigration } from '../store.ts';

/** Invitations re-sent by a migration live this long; the wait state's TimeoutSeconds is the same. */
export const INVITATION_LIFETIME_MS = 72 * 3600_000;

/** A failure with a name the state machine's Catch and the operator can read. */
export class StepError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export type ResourceRef = { kind: ResourceKindName; id: string };

export async function mustGetMigration(deps: Deps, id: string): Promise<MigrationItem> {
  const m = await getMigration(deps, id);
  if (!m) throw new StepError('MigrationNotFound', `Migration ${id} does not exist.`);
  return m;
}

export const CANCELLED = 'MigrationCancelled';
export const cancelled = () => new StepError(CANCELLED, 'You cancelled the migration.');

/** A forward step before leaving: a cancel asked meanwhile turns it into a rollback (the Catch's compensation). */
export async function mustGetUncancelled(deps: Deps, id: string): Promise<MigrationItem> {
  const m = await mustGetMigration(deps, id);
  if (m.cancel_requested_at) throw cancelled();
  return m;
}

/** Where this migration's snapshot of a resource lives. */
export const snapshotOf = (m: MigrationItem, ref: ResourceRef) => ({
  repository_id: m.repository_id,
  migration_id: m.id,
  source_kind: ref.kind,
  source_id: ref.id,
});

export const getUser = (deps: Deps, userId: string) =>
  getItem<UserItem>(deps.db, deps.table, keys.user(userId));

export const snapshotChecksumOk = (s: SnapshotItem) =>
  contentChecksum({ kind: s.source_kind, type: s.type, name: s.name, configuration: s.configuration }) ===
  s.checksum;

/** 1. Validate: member of the source, target open and different, a pending invitation, the user's repository. */
