/**
 * Role assignments as data: validating what a caller sends (shape, known ids, scopes) into a normal form, and the
 * algebra on that form (merge, subtract, equality) that role changes and the migration's owner roles use.
 */
import { ApiError } from './errors.ts';
import {
  DEPLOYMENT_ROLES,
  ORGANIZATION_ROLES,
  PROJECT_ROLES,
  PROJECT_TYPES,
  type ProjectType,
  type RoleAssignments,
  type ScopedRoleAssignment,
} from './roles.ts';
import * as z from './schema.ts';

const id = z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be an id of letters, digits, _ . : -'));
const idList = z.array(id).check(z.minLength(1), z.maxLength(100));
const scopedFields = {
  role_id: z.string(),
  organization_id: z.string(),
  all: z.optional(z.boolean()),
  application_roles: z.optional(
    z.array(z.displayString(z.minLength(1), z.maxLength(100))).check(z.maxLength(20)),
  ),
};
const deploymentAssignment = z.strictObject({ ...scopedFields, deployment_ids: z.optional(idList) });
const projectAssignment = z.strictObject({ ...scopedFields, project_ids: z.optional(idList) });
const upTo = <T extends z.ZodMiniType>(item: T, max: number) =>
  z.optional(z.array(item).check(z.maxLength(max)));

export const roleAssignmentsSchema = z.strictObject({
  platform: z.optional(
    z.array(z.unknown()).check(z.maxLength(0, 'platform roles cannot be assigned through this API')),
  ),
  organization: upTo(z.strictObject({ role_id: z.string(), organization_id: z.string() }), 10),
  deployment: upTo(deploymentAssignment, 50),
  project: z.optional(
    z.strictObject({
      elasticsearch: upTo(projectAssignment, 50),
      observability: upTo(projectAssignment, 50),
      security: upTo(projectAssignment, 50),
    }),
  ),
});

const invalid = (message: string, field: string) =>
  new ApiError('role_assignments.invalid_config', message, [field]);

function checkScoped(
  a: ScopedRoleAssignment,
  allowed: readonly string[],
  orgId: string,
  idsField: 'deployment_ids' | 'project_ids',
  field: string,
): ScopedRoleAssignment {
  if (!allowed.includes(a.role_id)) {
    throw invalid(`Unknown role "${a.role_id}" in ${field}; expected one of ${allowed.join(', ')}.`, field);
  }
  if (a.organization_id !== orgId) {
    throw invalid(
      `${field}.organization_id must be this organization (${orgId}).`,
      `${field}.organization_id`,
    );
  }
  const ids = a[idsField];
  if (a.all === true && ids !== undefined) {
    throw invalid(`${field}: give either "all": true or ${idsField}, not both.`, field);
  }
  if (a.all !== true && (ids === undefined || ids.length === 0)) {
    throw invalid(`${field}: give "all": true or a non-empty ${idsField} list.`, field);
  }
  const out: ScopedRoleAssignment = { role_id: a.role_id, organization_id: orgId };
  if (a.all === true) out.all = true;
  else out[idsField] = [...new Set(ids)].sort();
  if (a.application_roles?.length) out.application_roles = [...new Set(a.application_roles)].sort();
  return out;
}

const keyOf = (a: object) => JSON.stringify(a);
const dedupe = <T extends object>(list: T[]): T[] => [...new Map(list.map((a) => [keyOf(a), a])).values()];

/**
 * Validate role assignments for organization `orgId` (shape, known role ids, `all` xor ids, organization ids)
 * and return them normalised (deduplicated, sorted ids), or throw `role_assignments.invalid_config`.
 */
export function parseRoleAssignments(input: unknown, orgId: string): RoleAssignments {
  const parsed = roleAssignmentsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['role_assignments', ...(issue?.path ?? [])].join('.');
    throw invalid(`Invalid role assignments at ${field}: ${issue?.message ?? 'bad shape'}.`, field);
  }
  const ra = parsed.data;
  const out: RoleAssignments = {};
  if (ra.organization?.length) {
    out.organization = dedupe(
      ra.organization.map((a, i) => {
        const field = `role_assignments.organization[${i}]`;
        if (!(ORGANIZATION_ROLES as readonly string[]).includes(a.role_id)) {
          throw invalid(
            `Unknown organization role "${a.role_id}"; expected ${ORGANIZATION_ROLES.join(' or ')}.`,
            field,
          );
        }
        if (a.organization_id !== orgId) {
          throw invalid(
            `${field}.organization_id must be this organization (${orgId}).`,
            `${field}.organization_id`,
          );
        }
        return { role_id: a.role_id, organization_id: orgId };
      }),
    );
  }
  if (ra.deployment?.length) {
    out.deployment = dedupe(
      ra.deployment.map((a, i) =>
        checkScoped(a, DEPLOYMENT_ROLES, orgId, 'deployment_ids', `role_assignments.deployment[${i}]`),
      ),
    );
  }
  for (const type of PROJECT_TYPES) {
    const list = ra.project?.[type];
    if (!list?.length) continue;
    out.project ??= {};
    out.project[type] = dedupe(
      list.map((a, i) =>
        checkScoped(a, PROJECT_ROLES[type], orgId, 'project_ids', `role_assignments.project.${type}[${i}]`),
      ),
    );
  }
  return out;
}

const idsOf = (a: ScopedRoleAssignment) => a.deployment_ids ?? a.project_ids;
const idField = (a: ScopedRoleAssignment): 'deployment_ids' | 'project_ids' =>
  a.project_ids ? 'project_ids' : 'deployment_ids';

function normaliseScoped(list: ScopedRoleAssignment[]): ScopedRoleAssignment[] {
  // Merge id lists of the same role, and drop id-scoped assignments made redundant by an `all` of the same role.
  const allRoles = new Set(list.filter((a) => a.all).map((a) => a.role_id));
  const byRole = new Map<string, ScopedRoleAssignment>();
  for (const a of list) {
    if (a.all) {
      byRole.set(`${a.role_id}|all`, a);
      continue;
    }
    if (allRoles.has(a.role_id)) continue;
    const key = `${a.role_id}|ids`;
    const prev = byRole.get(key);
    const field = idField(a);
    const merged = [...new Set([...(prev ? (idsOf(prev) ?? []) : []), ...(idsOf(a) ?? [])])].sort();
    byRole.set(key, { ...(prev ?? a), [field]: merged });
  }
  return [...byRole.values()].sort((x, y) => x.role_id.localeCompare(y.role_id));
}

function tidy(ra: RoleAssignments): RoleAssignments {
  const out: RoleAssignments = {};
  if (ra.organization?.length)
    out.organization = dedupe(ra.organization).sort((a, b) => a.role_id.localeCompare(b.role_id));
  if (ra.deployment?.length) out.deployment = normaliseScoped(ra.deployment);
  for (const type of PROJECT_TYPES) {
    const list = ra.project?.[type];
    if (list?.length) {
      out.project ??= {};
      out.project[type] = normaliseScoped(list);
    }
  }
  return out;
}

/** Whether two sets of role assignments grant the same (order of lists and of ids aside). */
export function sameRoles(a: RoleAssignments, b: RoleAssignments): boolean {
  const canonical = (ra: RoleAssignments) => JSON.stringify(sortDeep(mergeRoleAssignments(ra, {})));
  return canonical(a) === canonical(b);
}

function sortDeep(v: unknown): unknown {
  if (Array.isArray(v))
    return v.map(sortDeep).sort((x, y) => (JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .sort(([x], [y]) => (x < y ? -1 : 1))
        .map(([k, x]) => [k, sortDeep(x)]),
    );
  return v;
}

/** The union of two sets of role assignments (adding is idempotent). */
export function mergeRoleAssignments(current: RoleAssignments, add: RoleAssignments): RoleAssignments {
  const project: Partial<Record<ProjectType, ScopedRoleAssignment[]>> = {};
  for (const type of PROJECT_TYPES)
    project[type] = [...(current.project?.[type] ?? []), ...(add.project?.[type] ?? [])];
  return tidy({
    organization: [...(current.organization ?? []), ...(add.organization ?? [])],
    deployment: [...(current.deployment ?? []), ...(add.deployment ?? [])],
    project,
  });
}

function subtractScoped(
  current: ScopedRoleAssignment[],
  remove: ScopedRoleAssignment[],
): ScopedRoleAssignment[] {
  return current.flatMap((a) => {
    const matching = remove.filter((r) => r.role_id === a.role_id);
    if (matching.length === 0) return [a];
    if (a.all) return matching.some((r) => r.all) ? [] : [a];
    if (matching.some((r) => r.all)) return [];
    const gone = new Set(matching.flatMap((r) => idsOf(r) ?? []));
    const left = (idsOf(a) ?? []).filter((id) => !gone.has(id));
    return left.length ? [{ ...a, [idField(a)]: left }] : [];
  });
}

/** Current minus the given assignments; removing what a member lacks changes nothing. */
export function subtractRoleAssignments(current: RoleAssignments, remove: RoleAssignments): RoleAssignments {
  const removeOrg = new Set((remove.organization ?? []).map((a) => a.role_id));
  const project: Partial<Record<ProjectType, ScopedRoleAssignment[]>> = {};
  for (const type of PROJECT_TYPES)
    project[type] = subtractScoped(current.project?.[type] ?? [], remove.project?.[type] ?? []);
  return tidy({
    organization: (current.organization ?? []).filter((a) => !removeOrg.has(a.role_id)),
    deployment: subtractScoped(current.deployment ?? [], remove.deployment ?? []),
    project,
  });
}
