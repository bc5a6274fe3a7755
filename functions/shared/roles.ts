import { ApiError } from './errors.ts';
import * as z from './schema.ts';

export const ORGANIZATION_ROLES = ['organization-admin', 'billing-admin'] as const;
export const DEPLOYMENT_ROLES = ['deployment-admin', 'deployment-editor', 'deployment-viewer'] as const;
export const PROJECT_TYPES = ['elasticsearch', 'observability', 'security'] as const;
export const PROJECT_ROLES = {
  elasticsearch: ['elasticsearch-admin', 'elasticsearch-developer', 'elasticsearch-viewer'],
  observability: ['observability-admin', 'observability-editor', 'observability-viewer'],
  security: ['security-admin', 'security-editor', 'security-viewer'],
} as const satisfies Record<(typeof PROJECT_TYPES)[number], readonly string[]>;

export type ProjectType = (typeof PROJECT_TYPES)[number];
export type RoleId =
  | (typeof ORGANIZATION_ROLES)[number]
  | (typeof DEPLOYMENT_ROLES)[number]
  | (typeof PROJECT_ROLES)[ProjectType][number];

const projectRoles = (type: ProjectType, label: string) => {
  const [admin, middle, viewer] = PROJECT_ROLES[type];
  const scope = `project (${type}): all or project_ids`;
  return {
    [admin]: {
      scope,
      allows: `with \`all\`: create ${label} projects; see and delete the ${label} projects it covers`,
    },
    [middle]: { scope, allows: `see the ${label} projects it covers (this API has no project edits yet)` },
    [viewer]: { scope, allows: `see the ${label} projects it covers` },
  } as Record<(typeof PROJECT_ROLES)[typeof type][number], { scope: string; allows: string }>;
};

/**
 * Every role id, its scope and what it allows here (what `permissions.ts` decides), for the README and the API
 * document. Keyed by `RoleId`, so a new role without words fails to compile. Any member, whatever their roles, may see
 * the organization and its members and leave it.
 */
export const ROLE_CATALOGUE: Record<RoleId, { scope: string; allows: string }> = {
  'organization-admin': {
    scope: 'organization',
    allows:
      'the owner: everything in the organization: rename it, invite and revoke, remove members, change roles, create, see and delete every deployment and project, see and settle bills. One always remains',
  },
  'billing-admin': { scope: 'organization', allows: "see and settle the organization's bills" },
  'deployment-admin': {
    scope: 'deployment: all or deployment_ids',
    allows: 'with `all`: create deployments; see and delete the deployments it covers',
  },
  'deployment-editor': {
    scope: 'deployment: all or deployment_ids',
    allows: 'see the deployments it covers (this API has no deployment edits yet)',
  },
  'deployment-viewer': {
    scope: 'deployment: all or deployment_ids',
    allows: 'see the deployments it covers',
  },
  ...projectRoles('elasticsearch', 'Elasticsearch'),
  ...projectRoles('observability', 'Observability'),
  ...projectRoles('security', 'Security'),
};

export interface OrganizationRoleAssignment {
  role_id: string;
  organization_id: string;
}
export interface ScopedRoleAssignment {
  role_id: string;
  organization_id: string;
  all?: boolean;
  deployment_ids?: string[];
  project_ids?: string[];
  application_roles?: string[];
}
export interface RoleAssignments {
  organization?: OrganizationRoleAssignment[];
  deployment?: ScopedRoleAssignment[];
  project?: Partial<Record<ProjectType, ScopedRoleAssignment[]>>;
}

const id = z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be an id of letters, digits, _ . : -'));
const idList = z.array(id).check(z.minLength(1), z.maxLength(100));
const scopedFields = {
  role_id: z.string(),
  organization_id: z.string(),
  all: z.optional(z.boolean()),
  application_roles: z.optional(
    z.array(z.string().check(z.minLength(1), z.maxLength(100))).check(z.maxLength(20)),
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

export const ORG_ADMIN = 'organization-admin';

export const isOrgAdmin = (ra: RoleAssignments | undefined): boolean =>
  ra?.organization?.some((a) => a.role_id === ORG_ADMIN) ?? false;

export const adminRoleAssignments = (orgId: string): RoleAssignments => ({
  organization: [{ role_id: ORG_ADMIN, organization_id: orgId }],
});

const ROLE_WORDS: Record<string, string> = {
  'organization-admin': 'Organization owner',
  'billing-admin': 'Billing admin',
  'deployment-admin': 'Deployment admin',
  'deployment-editor': 'Deployment editor',
  'deployment-viewer': 'Deployment viewer',
};

function scopeWords(a: ScopedRoleAssignment, noun: string): string {
  if (a.all) return `all ${noun}s`;
  const ids = a.deployment_ids ?? a.project_ids ?? [];
  return ids.length === 1 ? `${noun} ${ids[0]}` : `${ids.length} ${noun}s`;
}

function titleCase(roleId: string): string {
  return roleId
    .split('-')
    .map((w) => (w === 'elasticsearch' ? 'Elasticsearch' : w.charAt(0).toUpperCase() + w.slice(1)))
    .join(' ');
}

/** Roles in words for emails and the invitation page, e.g. "Deployment viewer (all deployments)". */
export function describeRoles(ra: RoleAssignments): string[] {
  const words: string[] = [];
  for (const a of ra.organization ?? []) words.push(ROLE_WORDS[a.role_id] ?? a.role_id);
  for (const a of ra.deployment ?? []) {
    words.push(`${ROLE_WORDS[a.role_id] ?? a.role_id} (${scopeWords(a, 'deployment')})`);
  }
  for (const type of PROJECT_TYPES) {
    for (const a of ra.project?.[type] ?? [])
      words.push(`${titleCase(a.role_id)} (${scopeWords(a, `${type} project`)})`);
  }
  return words.length ? words : ['Member (no roles yet)'];
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
