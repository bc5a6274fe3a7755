/**
 * The migration's steps, one function per state of `workflows/migration.asl.json`. Every step may run twice (Step
 * Functions retries, Lambda re-invocations): each one reads what is true now and writes with idempotency keys (the
 * migration id and the resource ids), so a second run changes nothing.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { migrationLink, migrationOutcomeEmail } from '../invitations/render.ts';
import {
  attachTaskToken,
  getInvitationByEmail,
  isExpired,
  refreshForMigration,
  releaseReservation,
} from '../invitations/service.ts';
import { removeMembers } from '../members/changes.ts';
import { deleteResourceItem, getResourceItem, putResource, queryResources } from '../resources/service.ts';
import { batchGet, getItem, keyId, updateIf } from '../shared/db.ts';
import type { Callbacks, Deps, Mailing } from '../shared/deps.ts';
import type {
  MembershipItem,
  MigrationItem,
  MigrationPlan,
  OrganizationItem,
  ResourceKindName,
  SnapshotItem,
  UserItem,
} from '../shared/domain.ts';
import { isApiError } from '../shared/errors.ts';
import { METRIC } from '../shared/observability.ts';
import {
  mergeRoleAssignments,
  PROJECT_TYPES,
  type ProjectType,
  type RoleAssignments,
} from '../shared/roles.ts';
import { ENTITY, keys } from '../shared/table.ts';
import {
  contentChecksum,
  getRepository,
  getSnapshot,
  putSnapshot,
  querySnapshots,
} from '../snapshots/service.ts';
import {
  claimOnRunning,
  getMigration,
  recordWaitToken,
  releaseLock,
  TARGET_CLOSED,
  updateMigration,
} from './store.ts';

/** Invitations re-sent by a migration live this long; the wait state's TimeoutSeconds is the same. */
export const INVITATION_LIFETIME_MS = 72 * 3600_000;

/** A failure with a name the state machine's Catch and the operator can read. */
export class StepError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

type ResourceRef = { kind: ResourceKindName; id: string };

async function mustGetMigration(deps: Deps, id: string): Promise<MigrationItem> {
  const m = await getMigration(deps, id);
  if (!m) throw new StepError('MigrationNotFound', `Migration ${id} does not exist.`);
  return m;
}

export const CANCELLED = 'MigrationCancelled';
const cancelled = () => new StepError(CANCELLED, 'You cancelled the migration.');

/** A forward step before leaving: a cancel asked meanwhile turns it into a rollback (the Catch's compensation). */
async function mustGetUncancelled(deps: Deps, id: string): Promise<MigrationItem> {
  const m = await mustGetMigration(deps, id);
  if (m.cancel_requested_at) throw cancelled();
  return m;
}

/** Where this migration's snapshot of a resource lives. */
const snapshotOf = (m: MigrationItem, ref: ResourceRef) => ({
  repository_id: m.repository_id,
  migration_id: m.id,
  source_kind: ref.kind,
  source_id: ref.id,
});

const getUser = (deps: Deps, userId: string) => getItem<UserItem>(deps.db, deps.table, keys.user(userId));

const snapshotChecksumOk = (s: SnapshotItem) =>
  contentChecksum({ kind: s.source_kind, type: s.type, name: s.name, configuration: s.configuration }) ===
  s.checksum;

/** 1. Validate: member of the source, target open and different, a pending invitation, the user's repository. */
export async function validateMigration(deps: Deps, migrationId: string): Promise<MigrationPlan> {
  const m = await mustGetUncancelled(deps, migrationId);
  if (m.plan) return m.plan; // already validated (a retry)
  const userKey = keys.user(m.user_id);
  const srcKey = keys.organization(m.source_organization_id);
  const tgtKey = keys.organization(m.target_organization_id);
  const memberKey = keys.membership(m.source_organization_id, m.user_id);
  const found = await batchGet(deps.db, deps.table, [userKey, srcKey, tgtKey, memberKey]);
  const user = found.get(keyId(userKey)) as UserItem | undefined;
  const source = found.get(keyId(srcKey)) as OrganizationItem | undefined;
  const target = found.get(keyId(tgtKey)) as OrganizationItem | undefined;
  const membership = found.get(keyId(memberKey)) as MembershipItem | undefined;
  if (user?.organization_id !== m.source_organization_id || !membership || source?.status !== 'open') {
    throw new StepError('ValidationFailed', 'You are no longer a member of the source organization.');
  }
  if (target?.status !== 'open' || m.target_organization_id === m.source_organization_id) {
    throw new StepError(
      'ValidationFailed',
      'The target organization does not exist, is closed, or is the source organization.',
    );
  }
  const inv = await getInvitationByEmail(deps, m.target_organization_id, m.email);
  if (inv?.status !== 'pending' || isExpired(inv, deps.now())) {
    throw new StepError(
      'ValidationFailed',
      'There is no pending invitation to the target organization for your email address.',
    );
  }
  if (!(await getRepository(deps, m.user_id, m.repository_id))) {
    throw new StepError('ValidationFailed', 'The snapshot repository is not one of yours.');
  }
  const sole = source.member_count === 1;
  if (sole && source.pending_bill_count > 0) {
    throw new StepError(
      'ValidationFailed',
      `The source organization has ${source.pending_bill_count} pending bill(s): settle them first.`,
    );
  }
  if (!sole && membership.is_admin && source.admin_count <= 1) {
    throw new StepError(
      'ValidationFailed',
      'You are the only organization owner of the source organization: give another member that role first.',
    );
  }
  const resources: ResourceRef[] = sole
    ? [
        ...(await queryResources(deps, m.source_organization_id, 'deployment')),
        ...(await queryResources(deps, m.source_organization_id, 'project')),
      ].map((r) => ({ kind: r.kind, id: r.id }))
    : [];
  const plan: MigrationPlan = { sole_member: sole, backup: resources.length > 0, resources };
  await updateMigration(deps, m.id, { plan });
  return plan;
}

/** 2a. Back up one deployment or project into the user's repository (a Map iteration). */
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
    const deleted = await deleteResourceItem(deps, m.source_organization_id, ref.kind, ref.id, [
      { Update: snapshotTransition(deps, m, ref, 'source_deleted', 'verified') },
    ]);
    if (!deleted) await markSnapshot(deps, m, ref, 'discarded', 'verified');
  }
}

/** 4. Leave the source organization (closing it when the user was its sole member). */
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
const restoredId = (migrationId: string, ref: ResourceRef) =>
  createHash('sha256').update(`${migrationId}:${ref.kind}:${ref.id}`).digest('hex').slice(0, 32);

/**
 * Recreate a resource from its snapshot in `orgId` and verify it; idempotent. Undefined for a `discarded` snapshot:
 * its source was deleted on purpose during the move, and a deletion the API confirmed is never undone.
 */
async function restoreInto(
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

type Restored = { kind: ResourceKindName; id: string; type: string };

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
  for (let attempt = 0; attempt < OWNER_ROLE_ATTEMPTS; attempt++) {
    const membership = await getItem<MembershipItem>(deps.db, deps.table, key);
    if (!membership) return; // removed from the target meanwhile: the organization keeps what was restored
    const next = mergeRoleAssignments(membership.role_assignments, add);
    if (JSON.stringify(next) === JSON.stringify(membership.role_assignments)) return;
    try {
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
      return;
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * 2 ** Math.min(attempt, 5)));
    }
  }
  throw new StepError('TransientError', 'The membership kept changing while adding the owner roles.');
}

/** 7. Restore one resource into the target organization and verify it (a Map iteration). */
export async function restoreResource(
  deps: Deps,
  migrationId: string,
  ref: ResourceRef,
): Promise<{ restored_id: string }> {
  const m = await mustGetMigration(deps, migrationId);
  await mustBeInTarget(deps, m);
  const restored = await restoreInto(deps, m, ref, m.target_organization_id, restoredId(m.id, ref));
  if (!restored) return { restored_id: '' }; // deleted on purpose during the move: not brought
  await grantOwnerRoles(deps, m, [restored]);
  return { restored_id: restored.id };
}

/** Restoring, or calling the move a success, is only right once the migrating user is a member of the target. */
async function mustBeInTarget(deps: Deps, m: MigrationItem): Promise<void> {
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

/** 8. Record the outcome (the Fail state's error and cause come from here) and release the user's migration lock. */
export async function recordOutcome(
  deps: Deps,
  migrationId: string,
  outcome: 'succeeded' | 'failed',
  error?: { Error?: string; Cause?: string },
): Promise<{ error?: string; cause?: string }> {
  const m = await mustGetMigration(deps, migrationId);
  const now = deps.now().toISOString();
  if (m.status !== 'running') return { error: m.error, cause: m.cause }; // ended already (cancelled after leaving)
  if (outcome === 'succeeded') {
    await mustBeInTarget(deps, m);
    await endMigration(deps, m, {
      status: 'succeeded',
      current_step: 'Migration succeeded',
      finished_at: now,
    });
    return {};
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
    // Say what is true now: the step that failed may be "you are no longer a member" (removed meanwhile).
    const stillMember = (await getUser(deps, m.user_id))?.organization_id === m.source_organization_id;
    const after = stillMember
      ? 'Nothing changed: you are still a member of the source organization and every deployment is still there.'
      : 'The migration moved nothing: every deployment is still in the source organization.';
    if (error?.Error === CANCELLED) {
      name = CANCELLED;
      cause = `You cancelled the migration before it left the source organization. ${after}`;
    } else {
      name = 'MigrationRolledBack';
      cause = `Stopped at "${m.current_step}": ${detail} ${after}`;
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
  const ended = await endMigration(deps, m, { status, error: name, cause, finished_at: now });
  return { error: ended.error, cause: ended.cause };
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
async function endMigration(
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
