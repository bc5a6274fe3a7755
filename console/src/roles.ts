/**
 * Role ids, roles in words, and the role form's model: for every role, not given, given for all resources, or for
 * chosen ones. That is every assignment the API can hold (id lists of one role merge, and "all" covers ids), so
 * editing a member's roles loses nothing.
 */

import type { components } from '../../client/index.ts';
import {
  DEPLOYMENT_ROLES,
  ORGANIZATION_ROLES,
  PROJECT_ROLES,
  PROJECT_TYPES,
  type ProjectType,
  roleWords,
} from '../../functions/shared/roles.ts';

type Schemas = components['schemas'];

export type Scope = { kind: 'none' } | { kind: 'all' } | { kind: 'ids'; ids: string[] };

/** The API's role assignments, as the generated client types them. */
export type RoleAssignments = Schemas['RoleAssignments'];
/** One deployment or project assignment: the two differ only in which id list they carry. */
export type Assignment = Schemas['DeploymentRoleAssignment'] &
  Pick<Schemas['ProjectRoleAssignment'], 'project_ids'>;
export { DEPLOYMENT_ROLES, ORGANIZATION_ROLES, PROJECT_ROLES, PROJECT_TYPES, type ProjectType };

export const PROJECT_TYPE_WORDS: Record<ProjectType, string> = {
  elasticsearch: 'Elasticsearch',
  observability: 'Observability',
  security: 'Security',
};

/** "Observability editor" for `observability-editor`: the service's own words for its roles. */
export const roleName = roleWords;

/** `all deployments`, `deployment web`, `deployments logs, web` (in order); without `names`, as the service says it (`2 deployments`). */
function scopeWords(a: Assignment, noun: string, names: Map<string, string> | undefined): string {
  if (a.all) return `all ${noun}s`;
  const ids = a.deployment_ids ?? a.project_ids ?? [];
  const named = ids.map((id) => names?.get(id) ?? id).sort((x, y) => x.localeCompare(y));
  if (ids.length === 1) return `${noun} ${named[0]}`;
  return names ? `${noun}s ${named.join(', ')}` : `${ids.length} ${noun}s`;
}

/**
 * Roles in words, as emails and the invitation page say them ("Deployment viewer (all deployments)"). With `names`
 * (ids to names, as the console knows them), a role on listed deployments or projects names each one, by its id when
 * its name is not known (deleted, or not visible to this person).
 */
export function describeRoles(ra: RoleAssignments | undefined, names?: Map<string, string>): string[] {
  const words: string[] = [];
  for (const a of ra?.organization ?? []) words.push(roleName(a.role_id));
  for (const a of ra?.deployment ?? [])
    words.push(`${roleName(a.role_id)} (${scopeWords(a, 'deployment', names)})`);
  for (const type of PROJECT_TYPES) {
    for (const a of ra?.project?.[type] ?? [])
      words.push(`${roleName(a.role_id)} (${scopeWords(a, `${type} project`, names)})`);
  }
  return words.length ? words : ['Member (no roles yet)'];
}

export const isOrgAdmin = (ra: RoleAssignments | undefined): boolean =>
  ra?.organization?.some((a) => a.role_id === 'organization-admin') ?? false;

/** The form's model: organization roles on or off; every scoped role with its scope. */
export interface RoleChoice {
  organization: Record<string, boolean>;
  deployment: Record<string, Scope>;
  project: Record<ProjectType, Record<string, Scope>>;
}

const scopeOf = (list: Assignment[] | undefined, roleId: string): Scope => {
  const mine = (list ?? []).filter((a) => a.role_id === roleId);
  if (mine.length === 0) return { kind: 'none' };
  if (mine.some((a) => a.all)) return { kind: 'all' };
  const ids = [...new Set(mine.flatMap((a) => a.deployment_ids ?? a.project_ids ?? []))].sort();
  return { kind: 'ids', ids };
};

export function toChoice(ra: RoleAssignments | undefined): RoleChoice {
  return {
    organization: Object.fromEntries(
      ORGANIZATION_ROLES.map((r) => [r, ra?.organization?.some((a) => a.role_id === r) ?? false]),
    ),
    deployment: Object.fromEntries(DEPLOYMENT_ROLES.map((r) => [r, scopeOf(ra?.deployment, r)])),
    project: Object.fromEntries(
      PROJECT_TYPES.map((t) => [
        t,
        Object.fromEntries(PROJECT_ROLES[t].map((r) => [r, scopeOf(ra?.project?.[t], r)])),
      ]),
    ) as RoleChoice['project'],
  };
}

function scoped(
  orgId: string,
  roleId: string,
  scope: Scope,
  idsField: 'deployment_ids' | 'project_ids',
): Assignment[] {
  if (scope.kind === 'none') return [];
  if (scope.kind === 'all') return [{ role_id: roleId, organization_id: orgId, all: true }];
  return scope.ids.length
    ? [{ role_id: roleId, organization_id: orgId, [idsField]: [...scope.ids].sort() }]
    : [];
}

/** The API's `role_assignments` for a choice; empty scopes are left out. */
export function fromChoice(orgId: string, c: RoleChoice): RoleAssignments {
  const out: RoleAssignments = {};
  const org = ORGANIZATION_ROLES.filter((r) => c.organization[r]).map((r) => ({
    role_id: r,
    organization_id: orgId,
  }));
  if (org.length) out.organization = org;
  const dep = DEPLOYMENT_ROLES.flatMap((r) =>
    scoped(orgId, r, c.deployment[r] ?? { kind: 'none' }, 'deployment_ids'),
  );
  if (dep.length) out.deployment = dep;
  for (const t of PROJECT_TYPES) {
    const list = PROJECT_ROLES[t].flatMap((r) =>
      scoped(orgId, r, c.project[t][r] ?? { kind: 'none' }, 'project_ids'),
    );
    if (list.length) {
      out.project ??= {};
      out.project[t] = list;
    }
  }
  return out;
}

/** A scope chosen as "chosen ones" with nothing ticked: the form says so instead of sending it. */
export function emptyChosenScopes(c: RoleChoice): string[] {
  const out: string[] = [];
  for (const [r, s] of Object.entries(c.deployment))
    if (s.kind === 'ids' && !s.ids.length) out.push(roleName(r));
  for (const t of PROJECT_TYPES)
    for (const [r, s] of Object.entries(c.project[t]))
      if (s.kind === 'ids' && !s.ids.length) out.push(roleName(r));
  return out;
}

const sameScope = (a: Scope, b: Scope) =>
  a.kind === b.kind && (a.kind !== 'ids' || (b.kind === 'ids' && a.ids.join() === b.ids.join()));

/**
 * The requests that turn `current` into `wanted`, in an order that never strands the organization:
 * organization roles are added first and removed after, and a scoped role that changes is removed whole and then
 * given again (adding ids beside an "all" would be absorbed by it).
 */
export function roleChanges(
  orgId: string,
  current: RoleAssignments | undefined,
  wanted: RoleChoice,
): { method: 'POST' | 'DELETE'; body: RoleAssignments }[] {
  const now = toChoice(current);
  const addOrg = ORGANIZATION_ROLES.filter((r) => wanted.organization[r] && !now.organization[r]);
  const dropOrg = ORGANIZATION_ROLES.filter((r) => !wanted.organization[r] && now.organization[r]);
  const drop: RoleAssignments = {};
  const give: RoleAssignments = {};
  if (dropOrg.length) drop.organization = dropOrg.map((r) => ({ role_id: r, organization_id: orgId }));
  for (const r of DEPLOYMENT_ROLES) {
    const w = wanted.deployment[r] ?? { kind: 'none' };
    const n = now.deployment[r] ?? { kind: 'none' };
    if (sameScope(w, n)) continue;
    const old = (current?.deployment ?? []).filter((a) => a.role_id === r);
    if (old.length) drop.deployment = [...(drop.deployment ?? []), ...old];
    const fresh = scoped(orgId, r, w, 'deployment_ids');
    if (fresh.length) give.deployment = [...(give.deployment ?? []), ...fresh];
  }
  for (const t of PROJECT_TYPES) {
    for (const r of PROJECT_ROLES[t]) {
      const w = wanted.project[t][r] ?? { kind: 'none' };
      const n = now.project[t][r] ?? { kind: 'none' };
      if (sameScope(w, n)) continue;
      const old = (current?.project?.[t] ?? []).filter((a) => a.role_id === r);
      if (old.length) drop.project = { ...drop.project, [t]: [...(drop.project?.[t] ?? []), ...old] };
      const fresh = scoped(orgId, r, w, 'project_ids');
      if (fresh.length) give.project = { ...give.project, [t]: [...(give.project?.[t] ?? []), ...fresh] };
    }
  }
  const steps: { method: 'POST' | 'DELETE'; body: RoleAssignments }[] = [];
  if (addOrg.length)
    steps.push({
      method: 'POST',
      body: { organization: addOrg.map((r) => ({ role_id: r, organization_id: orgId })) },
    });
  if (Object.keys(drop).length) steps.push({ method: 'DELETE', body: drop });
  if (Object.keys(give).length) steps.push({ method: 'POST', body: give });
  return steps;
}

/** Addresses as a person types them: separated by spaces, commas, semicolons or new lines. */
export function splitAddresses(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\s,;]+/)) {
    const a = raw.trim();
    if (!a || seen.has(a.toLowerCase())) continue;
    seen.add(a.toLowerCase());
    out.push(a);
  }
  return out;
}

/** A first check in the page, so obvious typos are marked before anything is sent; the service decides. */
export const looksLikeEmail = (a: string): boolean =>
  a.length <= 254 &&
  /^[\x21-\x7e]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(a) &&
  !a.includes('@', a.indexOf('@') + 1);
