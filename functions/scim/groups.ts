/**
 * SCIM Groups (RFC 7643 §4.2): the groups an organization's IdP pushes, with their members (SCIM user ids). A group's
 * displayName is a `group` for the role mappings: when a group's members or name change, the members it concerns who
 * joined through SCIM get the roles the mappings give for their groups now, each in a transaction of their own right
 * after the group's (one organization item a transaction: two admins changing would both update it). One that keeps
 * losing races keeps its roles until its next change (logged).
 */
import type { ScimPatchOperation } from 'scim-patch';
import { mappedRoles } from '../role-mappings/evaluate.ts';
import { loadRoleMappings } from '../role-mappings/guard.ts';
import { batchGet, conditionsFailed, getItem, keyId, queryAll, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem, OrganizationItem, ScimGroupItem, ScimUserItem } from '../shared/domain.ts';
import { log } from '../shared/log.ts';
import { retryLostRace } from '../shared/races.ts';
import { ENTITY, keys, queries } from '../shared/table.ts';
import { rolesFromMappings } from '../sso/mapped-roles.ts';
import { hashOf } from '../sso/signin.ts';
import { ScimError } from './protocol.ts';
import {
  applyPatch,
  filteredList,
  type GroupInput,
  oldestFirst,
  patchOperations,
  readGroup,
  toScimGroup,
} from './resources.ts';
import type { ScimAuthority } from './token.ts';

const MAX_ATTEMPTS = 5;

export const scimGroupId = (orgId: string, displayName: string) =>
  hashOf(`scim-group/${orgId}/${displayName.toLowerCase()}`).slice(0, 32);

const notFound = (id: string) => new ScimError(404, `No SCIM group ${id.slice(0, 64)} in this organization.`);

async function usersById(deps: Deps, orgId: string) {
  const users = await queryAll<ScimUserItem>(deps.db, deps.table, queries.scimUsers(orgId));
  return new Map(users.map((u) => [u.id, u]));
}

async function loadGroup(deps: Deps, orgId: string, id: string) {
  const g = await getItem<ScimGroupItem>(deps.db, deps.table, keys.scimGroup(orgId, id));
  if (!g) throw notFound(id);
  return g;
}

const withMembers = (query: (name: string) => string | undefined) =>
  !/(^|,)\s*members\s*(,|$)/i.test(query('excludedAttributes') ?? '');

export async function getGroup(
  deps: Deps,
  auth: ScimAuthority,
  base: string,
  id: string,
  query: (n: string) => string | undefined,
) {
  const g = await loadGroup(deps, auth.orgId, id);
  return toScimGroup(base, g, await usersById(deps, auth.orgId), withMembers(query));
}

export async function listGroups(
  deps: Deps,
  auth: ScimAuthority,
  base: string,
  query: (name: string) => string | undefined,
) {
  const [groups, users] = await Promise.all([
    queryAll<ScimGroupItem>(deps.db, deps.table, queries.scimGroups(auth.orgId)),
    usersById(deps, auth.orgId),
  ]);
  const all = groups.sort(oldestFirst).map((g) => toScimGroup(base, g, users));
  return filteredList(all, query, undefined, (g) => (withMembers(query) ? g : { ...g, members: undefined }));
}

const retried = <T>(attempt: () => Promise<T>) =>
  retryLostRace(
    {
      attempts: MAX_ATTEMPTS,
      exhausted: () =>
        new ScimError(409, 'This group kept changing while we saved; nothing was changed. Retry.'),
    },
    attempt,
  );

const tokenGone = (e: unknown) => {
  if (conditionsFailed(e)?.has('scimToken'))
    throw new ScimError(401, 'The SCIM token was rotated or deleted while this request ran.');
  throw e;
};

export async function createGroup(deps: Deps, auth: ScimAuthority, base: string, body: unknown) {
  const input = readGroup(body);
  const { orgId } = auth;
  const id = scimGroupId(orgId, input.displayName);
  const users = await usersById(deps, orgId);
  const at = deps.now().toISOString();
  const group: ScimGroupItem = {
    entity: 'ScimGroup',
    organization_id: orgId,
    id,
    display_name: input.displayName,
    ...(input.externalId ? { external_id: input.externalId } : {}),
    // Only users of this organization: an id we do not know is not ours to hold.
    members: input.members.filter((m) => users.has(m)),
    created_at: at,
    updated_at: at,
    version: 1,
  };
  await transact(deps.db, {
    scimToken: auth.held,
    group: {
      Put: {
        TableName: deps.table,
        Item: { ...keys.scimGroup(orgId, id), ...group, entity: ENTITY.scimGroup },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  }).catch((e) => {
    if (conditionsFailed(e)?.has('group'))
      throw new ScimError(409, `A group named ${input.displayName} exists already (id ${id}).`, 'uniqueness');
    return tokenGone(e);
  });
  await syncRoles(deps, auth, group.members);
  return toScimGroup(base, group, users);
}

/** PUT, PATCH and DELETE end here: the group as it will be (or gone), then the roles of the members it concerns. */
async function saveGroup(
  deps: Deps,
  auth: ScimAuthority,
  current: ScimGroupItem,
  next: GroupInput | undefined,
  users: ReadonlyMap<string, ScimUserItem>,
): Promise<ScimGroupItem | undefined> {
  const { orgId } = auth;
  const key = keys.scimGroup(orgId, current.id);
  const held = { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': current.version } };
  let updated: ScimGroupItem | undefined;
  if (next) {
    updated = {
      ...current,
      display_name: next.displayName,
      members: next.members.filter((m) => users.has(m)),
      updated_at: deps.now().toISOString(),
      version: current.version + 1,
    };
    if (next.externalId) updated.external_id = next.externalId;
    else delete updated.external_id;
  }
  await transact(deps.db, {
    scimToken: auth.held,
    group: updated
      ? { Put: { TableName: deps.table, Item: { ...key, ...updated, entity: ENTITY.scimGroup }, ...held } }
      : { Delete: { TableName: deps.table, Key: key, ...held } },
  }).catch(tokenGone);
  const before = new Set(current.members);
  const after = new Set(updated?.members ?? []);
  const renamed = updated && updated.display_name !== current.display_name;
  const concerned = [...new Set([...before, ...after])].filter(
    (m) => renamed || before.has(m) !== after.has(m),
  );
  await syncRoles(deps, auth, concerned);
  return updated;
}

export function replaceGroup(deps: Deps, auth: ScimAuthority, base: string, id: string, body: unknown) {
  const input = readGroup(body);
  return retried(async () => {
    const [current, users] = await Promise.all([
      loadGroup(deps, auth.orgId, id),
      usersById(deps, auth.orgId),
    ]);
    return toScimGroup(base, (await saveGroup(deps, auth, current, input, users))!, users);
  });
}

/** Members added and removed as Okta and Entra ID send them: `members` with a value list, or `members[value eq "…"]`. */
export function patchGroup(deps: Deps, auth: ScimAuthority, base: string, id: string, body: unknown) {
  const operations: ScimPatchOperation[] = patchOperations(body);
  return retried(async () => {
    const [current, users] = await Promise.all([
      loadGroup(deps, auth.orgId, id),
      usersById(deps, auth.orgId),
    ]);
    // Members as bare `{value}`s on both sides: scim-patch removes the listed members that equal one of them.
    const doc = {
      ...toScimGroup(base, current, users),
      members: current.members.map((value) => ({ value })),
    };
    const patched = applyPatch(doc, operations.map(bareMembers));
    const saved = await saveGroup(deps, auth, current, readGroup(patched), users);
    return toScimGroup(base, saved!, users);
  });
}

const bareMembers = (op: ScimPatchOperation): ScimPatchOperation =>
  op.op === 'remove' && Array.isArray(op.value)
    ? { ...op, value: op.value.map((m: { value?: unknown }) => ({ value: m?.value })) }
    : op;

export function deleteGroup(deps: Deps, auth: ScimAuthority, id: string) {
  return retried(async () => {
    const [current, users] = await Promise.all([
      loadGroup(deps, auth.orgId, id),
      usersById(deps, auth.orgId),
    ]);
    await saveGroup(deps, auth, current, undefined, users);
  });
}

/**
 * The roles of SCIM users whose groups changed: for each who is a member who joined through SCIM, the roles the
 * mappings give for their groups now (`rolesFromMappings`: never the last organization-admin demoted). Members linked
 * to an existing account keep the roles an admin gave them (their SSO sign-ins apply the mappings).
 */
async function syncRoles(deps: Deps, auth: ScimAuthority, scimIds: readonly string[]): Promise<void> {
  if (scimIds.length === 0) return;
  const { orgId } = auth;
  const mappings = await loadRoleMappings(deps, orgId);
  for (const scimId of scimIds) {
    await retryLostRace(
      { attempts: MAX_ATTEMPTS, exhausted: () => new Error('roles kept changing') },
      async () => {
        const u = await getItem<ScimUserItem>(deps.db, deps.table, keys.scimUser(orgId, scimId));
        if (!u?.active) return;
        const orgKey = keys.organization(orgId);
        const memberKey = keys.membership(orgId, u.user_id);
        const got = await batchGet(deps.db, deps.table, [orgKey, memberKey]);
        const org = got.get(keyId(orgKey)) as OrganizationItem | undefined;
        const member = got.get(keyId(memberKey)) as MembershipItem | undefined;
        if (org?.status !== 'open' || member?.joined_through !== 'scim') return;
        const groups = (await queryAll<ScimGroupItem>(deps.db, deps.table, queries.scimGroups(orgId)))
          .filter((g) => g.members.includes(scimId))
          .map((g) => g.display_name);
        const roles = mappedRoles(mappings, { email: u.email, groups });
        const at = deps.now().toISOString();
        await transact(deps.db, {
          scimToken: auth.held,
          ...rolesFromMappings(deps, org, member, roles, at, 'scim_synced_at'),
        });
      },
    ).catch((e) =>
      log('warn', 'scim roles not synced', { organizationId: orgId, error: (e as Error).message }),
    );
  }
}
