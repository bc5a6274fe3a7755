/** 1. Validate: is the move still possible, and what will it bring? Writes the plan onto the migration. */
import { getInvitationByEmail, isExpired } from '../../invitations/store.ts';
import { queryResources } from '../../resources/service.ts';
import { batchGet, keyId } from '../../shared/db.ts';
import type { Deps } from '../../shared/deps.ts';
import type { MembershipItem, MigrationPlan, OrganizationItem, UserItem } from '../../shared/domain.ts';
import { keys } from '../../shared/table.ts';
import { getRepository } from '../../snapshots/service.ts';
import { updateMigration } from '../store.ts';
import { mustGetUncancelled, type ResourceRef, StepError } from './common.ts';

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
