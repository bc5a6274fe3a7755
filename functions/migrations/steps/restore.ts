/** 7. Restore each resource into the target organization, and give the mover admin roles scoped to what they brought. */

import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getResourceItem, putResource } from '../../resources/service.ts';
import { getItem } from '../../shared/db.ts';
import type { Deps } from '../../shared/deps.ts';
import type { MembershipItem, MigrationItem, ResourceKindName } from '../../shared/domain.ts';
import { retryLostRace } from '../../shared/races.ts';
import { mergeRoleAssignments } from '../../shared/role-assignments.ts';
import { PROJECT_TYPES, type ProjectType, type RoleAssignments } from '../../shared/roles.ts';
import { ENTITY, keys } from '../../shared/table.ts';
import { contentChecksum, getSnapshot } from '../../snapshots/service.ts';
import { claimOnRunning } from '../store.ts';
import {
  getUser,
  mustGetMigration,
  type ResourceRef,
  StepError,
  snapshotChecksumOk,
  snapshotOf,
} from './common.ts';

const restoredId = (migrationId: string, ref: ResourceRef) =>
  createHash('sha256').update(`${migrationId}:${ref.kind}:${ref.id}`).digest('hex').slice(0, 32);

/**
 * Recreate a resource from its snapshot in `orgId` and verify it; idempotent. Undefined for a `discarded` snapshot:
 * its source was deleted on purpose during the move, and a deletion the API confirmed is never undone.
 */
export async function restoreInto(
  deps: Deps,
  m: MigrationItem,
  ref: ResourceRef,
  orgId: string,
  id: string,
): Promise<Restored | undefined> {
  const snap = await getSnapshot(deps, snapshotOf(m, ref));
  if (snap?.status === 'discarded') return undefined;
  if (!snap || !snapshotChecksumOk(snap))
    throw new StepError('RestoreFailed', `The snapshot of ${ref.kind} ${ref.id} is missing or damaged.`);
  await putResource(deps, {
    entity: ref.kind === 'deployment' ? ENTITY.deployment : ENTITY.project,
    kind: ref.kind,
    id,
    organization_id: orgId,
    name: snap.name,
    type: snap.type,
    configuration: snap.configuration,
    status: 'active',
    created_at: deps.now().toISOString(),
    created_by: m.user_id,
    restored_from: { repository_id: m.repository_id, source_id: ref.id, migration_id: m.id },
  });
  const back = await getResourceItem(deps, orgId, ref.kind, id);
  if (!back || contentChecksum(back) !== snap.checksum) {
    throw new StepError(
      'RestoreVerificationFailed',
      `The restored ${ref.kind} ${id} does not match its snapshot.`,
    );
  }
  return { kind: ref.kind, id, type: snap.type };
}

export type Restored = { kind: ResourceKindName; id: string; type: string };

/** The admin role on each restored resource: deployment-admin on deployments, `<type>-admin` on projects. */
export function ownerRoles(orgId: string, restored: Restored[]): RoleAssignments {
  const ids = (list: Restored[]) => [...new Set(list.map((r) => r.id))].sort();
  const deployments = restored.filter((r) => r.kind === 'deployment');
  const out: RoleAssignments = {};
  if (deployments.length)
    out.deployment = [
      { role_id: 'deployment-admin', organization_id: orgId, deployment_ids: ids(deployments) },
    ];
  for (const type of PROJECT_TYPES) {
    const projects = restored.filter((r) => r.kind === 'project' && r.type === type);
    if (!projects.length) continue;
    out.project ??= {};
    out.project[type as ProjectType] = [
      { role_id: `${type}-admin`, organization_id: orgId, project_ids: ids(projects) },
    ];
  }
  return out;
}

const OWNER_ROLE_ATTEMPTS = 10;

/**
 * Give the mover the admin role on what they brought, scoped to the restored ids, so nothing they own becomes
 * invisible to them whatever roles the invitation carried. Merged into their membership on the condition that it is
 * at the version read (restores run in parallel, up to 10 at once), retried on a lost race; adding what they already
 * have (an `all` of the same role) writes nothing.
 */
async function grantOwnerRoles(deps: Deps, m: MigrationItem, restored: Restored[]): Promise<void> {
  const key = keys.membership(m.target_organization_id, m.user_id);
  const add = ownerRoles(m.target_organization_id, restored);
  const exhausted = () =>
    new StepError('TransientError', 'The membership kept changing while adding the owner roles.');
  // Restores run in parallel: a lost race on the membership's version reads again and merges again.
  await retryLostRace({ attempts: OWNER_ROLE_ATTEMPTS, exhausted }, async () => {
    const membership = await getItem<MembershipItem>(deps.db, deps.table, key);
    if (!membership) return; // removed from the target meanwhile: the organization keeps what was restored
    const next = mergeRoleAssignments(membership.role_assignments, add);
    if (JSON.stringify(next) === JSON.stringify(membership.role_assignments)) return;
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: key,
        // roles_changed_at: the roles are no longer the invitation's alone (the invariant checker reads it).
        UpdateExpression: 'SET role_assignments = :ra, version = :next, roles_changed_at = :now',
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: {
          ':ra': next,
          ':next': membership.version + 1,
          ':v': membership.version,
          ':now': deps.now().toISOString(),
        },
      }),
    );
  });
}

/** 7. Restore one resource into the target organization and verify it (a Map iteration). */
export async function restoreResource(
  deps: Deps,
  migrationId: string,
  ref: ResourceRef,
): Promise<{ restored_id: string }> {
  const m = await mustGetMigration(deps, migrationId);
  await mustBeInTarget(deps, m);
  // The restore and a cancel after leaving exclude each other: whichever claims the migration first wins (the cancel
  // claims cancel_requested_at unless restoring_at is there), so a cancel never lands on a restore half done.
  if (
    !(await claimOnRunning(deps, m.id, { restoring_at: deps.now().toISOString() }, ['cancel_requested_at']))
  )
    throw new StepError('MigrationCancelled', 'You cancelled the migration before its restore began.');
  const restored = await restoreInto(deps, m, ref, m.target_organization_id, restoredId(m.id, ref));
  if (!restored) return { restored_id: '' }; // deleted on purpose during the move: not brought
  await grantOwnerRoles(deps, m, [restored]);
  return { restored_id: restored.id };
}

/** Restoring, or calling the move a success, is only right once the migrating user is a member of the target. */
export async function mustBeInTarget(deps: Deps, m: MigrationItem): Promise<void> {
  const user = await getUser(deps, m.user_id);
  if (user?.organization_id !== m.target_organization_id) {
    throw new StepError(
      'NotMemberOfTarget',
      'You are not a member of the target organization, so nothing was restored there.',
    );
  }
}

/** Re-run the restore after a failure past the leave step (the API's `_restore`). */
export async function restoreAll(deps: Deps, m: MigrationItem): Promise<Record<string, string>> {
  const restored: Record<string, string> = {};
  const all: Restored[] = [];
  for (const ref of m.plan?.resources ?? []) {
    const r = await restoreInto(deps, m, ref, m.target_organization_id, restoredId(m.id, ref));
    if (!r) continue; // deleted on purpose during the move: not brought
    restored[`${ref.kind}:${ref.id}`] = r.id;
    all.push(r);
  }
  if (all.length) await grantOwnerRoles(deps, m, all);
  return restored;
}

/** Compensation before deleting anything: remove this migration's snapshots (only while every source still exists). */
