/**
 * Role mappings (Elastic's `…/role_mappings` routes): which roles people who sign in through the organization's IdP
 * get, by rules over their IdP groups and email (`evaluate.ts`). Organization-admins only. Each mapping is an item
 * under the organization (`keys.roleMapping`); every change holds the set as read (`guard.ts`) and keeps an
 * organization-admin reachable (`reachability.ts`).
 */
import { callerUnchanged, retryAuthorised } from '../organizations/membership.ts';
import { requireOrgAdmin } from '../organizations/service.ts';
import { type TransactItems, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { RoleMappingItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { ENTITY, keys } from '../shared/table.ts';
import { holdAdminReachable, loadRoleMappings, ssoOrganizationUpdate } from './guard.ts';
import { MAX_ROLE_MAPPINGS, parseRoleMapping, type RoleMappingInput } from './rules.ts';

/** The reference's `RoleMapping`. */
export type RoleMapping = RoleMappingInput;

const toRoleMapping = (m: RoleMappingItem): RoleMapping => ({
  name: m.name,
  enabled: m.enabled,
  rule: m.rule,
  role_assignments: m.role_assignments,
});

const tooMany = (count: number) =>
  new ApiError(
    'org.role_mapping_rule.too_many_role_mappings',
    `An organization can have at most ${MAX_ROLE_MAPPINGS} role mappings; this would make ${count}. Combine rules with "any" or delete mappings it no longer needs.`,
    ['mappings'],
  );

const notFound = (name: string) =>
  new ApiError(
    'org.role_mapping_rule.role_mapping_not_found',
    `This organization has no role mapping named "${name}".`,
  );

const nameTaken = (name: string, field: string) =>
  new ApiError(
    'org.role_mapping_rule.already_exists',
    `There is already a role mapping named "${name}"; give this one another name, or update that one (PUT …/role_mappings/${name}).`,
    [field],
  );

/** Mappings as sent (`field[i]`), checked; names unique among them. */
function parseAll(raw: readonly unknown[], orgId: string, field: string): RoleMappingInput[] {
  if (raw.length > MAX_ROLE_MAPPINGS) throw tooMany(raw.length);
  const parsed = raw.map((m, i) => parseRoleMapping(m, orgId, `${field}[${i}]`));
  const seen = new Set<string>();
  parsed.forEach((m, i) => {
    if (seen.has(m.name)) throw nameTaken(m.name, `${field}[${i}].name`);
    seen.add(m.name);
  });
  return parsed;
}

export async function listRoleMappings(deps: Deps, caller: Caller, orgId: string): Promise<RoleMapping[]> {
  await requireOrgAdmin(deps, orgId, caller);
  return (await loadRoleMappings(deps, orgId)).map(toRoleMapping);
}

/**
 * Apply a change to the mappings: read the organization, the caller and the mappings; `plan` says which to put and
 * which to delete (by name); write them with the organization at the version read and an admin held reachable.
 */
async function change(
  deps: Deps,
  caller: Caller,
  orgId: string,
  plan: (current: RoleMappingItem[]) => { put: RoleMappingInput[]; remove: string[] },
): Promise<{ removed: string[] }> {
  return retryAuthorised(async () => {
    const { org, membership } = await requireOrgAdmin(deps, orgId, caller);
    const current = await loadRoleMappings(deps, orgId);
    const { put, remove } = plan(current);
    const byName = new Map(current.map((m) => [m.name, m]));
    const now = deps.now().toISOString();
    const after = new Map(current.map((m) => [m.name, m as RoleMappingInput]));
    for (const name of remove) after.delete(name);
    for (const m of put) after.set(m.name, m);
    if (after.size > MAX_ROLE_MAPPINGS) throw tooMany(after.size);
    const items: TransactItems = {};
    for (const name of remove)
      items[`delete:${name}`] = { Delete: { TableName: deps.table, Key: keys.roleMapping(orgId, name) } };
    for (const m of put) {
      const item: RoleMappingItem = {
        entity: ENTITY.roleMapping,
        organization_id: orgId,
        ...m,
        created_at: byName.get(m.name)?.created_at ?? now,
        updated_at: now,
      };
      items[`put:${m.name}`] = {
        Put: { TableName: deps.table, Item: { ...keys.roleMapping(orgId, m.name), ...item } },
      };
    }
    if (Object.keys(items).length === 0) return { removed: [] };
    const held = await holdAdminReachable(deps, org, membership, {
      ssoOn: org.idp?.enabled === true,
      mappings: [...after.values()],
    });
    await transact(deps.db, {
      organization: ssoOrganizationUpdate(deps, org),
      ...items,
      ...held,
      ...callerUnchanged(deps, membership),
    });
    return { removed: remove };
  });
}

/** POST: add mappings under new names (400 when a name is taken, here or in the request). */
export async function addRoleMappings(
  deps: Deps,
  caller: Caller,
  orgId: string,
  raw: unknown[],
): Promise<void> {
  const mappings = parseAll(raw, orgId, 'mappings');
  await change(deps, caller, orgId, (current) => {
    const taken = new Set(current.map((m) => m.name));
    mappings.forEach((m, i) => {
      if (taken.has(m.name)) throw nameTaken(m.name, `mappings[${i}].name`);
    });
    return { put: mappings, remove: [] };
  });
}

/** PUT …/role_mappings: the organization's mappings become exactly these. */
export async function replaceRoleMappings(
  deps: Deps,
  caller: Caller,
  orgId: string,
  raw: unknown[],
): Promise<void> {
  const mappings = parseAll(raw, orgId, 'mappings');
  const keep = new Set(mappings.map((m) => m.name));
  await change(deps, caller, orgId, (current) => ({
    put: mappings,
    remove: current.map((m) => m.name).filter((n) => !keep.has(n)),
  }));
}

/** PUT …/role_mappings/{role_name}: 404 when there is none; a different `mapping.name` renames it. */
export async function updateRoleMapping(
  deps: Deps,
  caller: Caller,
  orgId: string,
  name: string,
  raw: unknown,
): Promise<void> {
  const mapping = parseRoleMapping(raw, orgId, 'mapping');
  await change(deps, caller, orgId, (current) => {
    if (!current.some((m) => m.name === name)) throw notFound(name);
    if (mapping.name !== name && current.some((m) => m.name === mapping.name))
      throw nameTaken(mapping.name, 'mapping.name');
    return { put: [mapping], remove: mapping.name === name ? [] : [name] };
  });
}

/**
 * DELETE …/role_mappings (every mapping: `names` undefined) or …/role_mappings/{role_names}: the names deleted (names
 * the organization does not have are skipped).
 */
export async function deleteRoleMappings(
  deps: Deps,
  caller: Caller,
  orgId: string,
  names?: readonly string[],
): Promise<string[]> {
  const { removed } = await change(deps, caller, orgId, (current) => ({
    put: [],
    remove: current.map((m) => m.name).filter((n) => names === undefined || names.includes(n)),
  }));
  return removed;
}
