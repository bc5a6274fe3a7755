/**
 * Starting a migration: the preconditions, and the one transaction that records it, takes the user's migration lock
 * and binds the target invitation to them, before the workflow starts.
 */

import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { isExpired } from '../invitations/store.ts';
import { releaseReservation } from '../invitations/workflow.ts';
import { ensureUser } from '../organizations/service.ts';
import { holdSsoRequirement } from '../organizations/sso-required.ts';
import { batchGet, conditionsFailed, getItem, keyId, transact } from '../shared/db.ts';
import type { Callbacks, Deps } from '../shared/deps.ts';
import type { InvitationItem, MigrationItem, OrganizationItem, UserItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { METRIC } from '../shared/observability.ts';
import type * as z from '../shared/schema.ts';
import { ENTITY, keys } from '../shared/table.ts';
import { repositoryNotFound } from '../snapshots/service.ts';
import type { migrationRequest } from './schemas.ts';
import { toView } from './service.ts';
import { getMigration, releaseLock } from './store.ts';

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
  // The same request again answers the migration it started, even once the workflow has left the source (so the
  // caller is in no organization now). Any other request keeps the order of answers below.
  const activeId = (user as UserItem & { active_migration_id?: string }).active_migration_id;
  const active = activeId ? await getMigration(deps, activeId) : undefined;
  if (
    active?.status === 'running' &&
    active.target_organization_id === input.target_organization_id &&
    active.repository_id === input.repository_id
  ) {
    await deps.workflow.start(active.id, { migration_id: active.id }).catch(ignoreAlreadyStarted);
    return { created: false, migration: toView(active) };
  }
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
  // Moving out acts on the source organization: its SSO requirement applies (as to leaving it).
  const source = await getItem<OrganizationItem>(
    deps.db,
    deps.table,
    keys.organization(user.organization_id),
  );
  if (source?.status === 'open') await holdSsoRequirement(deps, source, caller);
  if (active?.status === 'running') {
    throw new ApiError(
      'migration.already_active',
      `You already have a migration in progress (${active.id}). Wait for it to finish.`,
    );
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
    await transact(deps.db, {
      migration: {
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
      migrationLock: {
        Update: {
          TableName: deps.table,
          Key: keys.user(caller.userId),
          UpdateExpression: 'SET active_migration_id = :id',
          ConditionExpression: 'attribute_not_exists(active_migration_id)',
          ExpressionAttributeValues: { ':id': migration.id },
        },
      },
      invitation: {
        // Bind the invitation to this user: from now on only their accept consumes it (and resumes the workflow).
        // A new version, so a refresh that read it before carries the binding over.
        Update: {
          TableName: deps.table,
          Key: invKey,
          UpdateExpression: 'SET reserved_for = :uid, version = version + :one',
          ConditionExpression:
            '#status = :pending AND expires_at > :now AND (attribute_not_exists(reserved_for) OR reserved_for = :uid)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':uid': caller.userId, ':one': 1, ':pending': 'pending', ':now': now },
        },
      },
    });
  } catch (e) {
    const failed = conditionsFailed(e);
    if (failed?.has('migrationLock')) {
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
    if (failed?.has('invitation')) {
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
