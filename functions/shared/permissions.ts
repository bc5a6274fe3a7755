/**
 * What a member may do, derived from their role assignments. One place, so the authorization matrix test and every
 * handler agree. `organization-admin` may do everything in its organization.
 */
import { isOrgAdmin, type ProjectType, type RoleAssignments, type ScopedRoleAssignment } from './roles.ts';

export type ResourceKind = 'deployment' | 'project';

const covers = (a: ScopedRoleAssignment, kind: ResourceKind, id: string | undefined): boolean =>
  a.all === true ||
  (id !== undefined && ((kind === 'deployment' ? a.deployment_ids : a.project_ids) ?? []).includes(id));

function scoped(ra: RoleAssignments, kind: ResourceKind, projectType?: ProjectType): ScopedRoleAssignment[] {
  if (kind === 'deployment') return ra.deployment ?? [];
  return projectType ? (ra.project?.[projectType] ?? []) : Object.values(ra.project ?? {}).flat();
}

const isAdminRole = (roleId: string) =>
  roleId === 'deployment-admin' || /^(elasticsearch|observability|security)-admin$/.test(roleId);

/** May see the deployment/project `id` (any role that covers it). */
export function canRead(
  ra: RoleAssignments,
  kind: ResourceKind,
  id: string,
  projectType?: ProjectType,
): boolean {
  return isOrgAdmin(ra) || scoped(ra, kind, projectType).some((a) => covers(a, kind, id));
}

/** May list: sees all (true), only some ids (a set), or none (empty set). */
export function readableIds(ra: RoleAssignments, kind: ResourceKind): true | Set<string> {
  if (isOrgAdmin(ra)) return true;
  const list = scoped(ra, kind);
  if (list.some((a) => a.all)) return true;
  return new Set(list.flatMap((a) => (kind === 'deployment' ? a.deployment_ids : a.project_ids) ?? []));
}

/** May create: an admin role for all resources of that kind (and project type). */
export function canCreate(ra: RoleAssignments, kind: ResourceKind, projectType?: ProjectType): boolean {
  return (
    isOrgAdmin(ra) || scoped(ra, kind, projectType).some((a) => a.all === true && isAdminRole(a.role_id))
  );
}

/** May delete `id`: an admin role that covers it. */
export function canDelete(
  ra: RoleAssignments,
  kind: ResourceKind,
  id: string,
  projectType?: ProjectType,
): boolean {
  return (
    isOrgAdmin(ra) || scoped(ra, kind, projectType).some((a) => isAdminRole(a.role_id) && covers(a, kind, id))
  );
}

/** Bills: organization owners and billing admins. */
export const canManageBilling = (ra: RoleAssignments): boolean =>
  isOrgAdmin(ra) || (ra.organization ?? []).some((a) => a.role_id === 'billing-admin');
