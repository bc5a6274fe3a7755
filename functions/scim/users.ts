/**
 * SCIM Users (RFC 7643 §4.1, RFC 7644 §3): what an organization's IdP provisions. An active user is a member:
 *
 * - create (or re-activate): the address (userName, else the primary email) must be in a domain this organization
 *   has verified (held by a condition on the domain's owner item); a member with that address already is linked (their
 *   roles stay theirs), anyone else joins as the SSO join does (`joinItems`, `joined_through: 'scim'`, the roles the
 *   role mappings give for their SCIM groups), on the one-organization lock; someone who belongs to another
 *   organization (or is moving) is refused with 409 `uniqueness` and a message the IdP shows;
 * - deactivation (`active: false` by PUT or PATCH) and deletion remove the membership through `removeMembers` with
 *   all its guards (last admin, a sole member's deployments, admin reachability): refused, nothing is written.
 *
 * Every change is one transaction holding the token as read, the SCIM user item at the version read, and what the
 * membership change needs; a retried create finds its user (the id derives from the userName) and answers 409.
 */

import { removeMembers } from '../members/changes.ts';
import { emailHeldBy } from '../organizations/membership.ts';
import {
  batchGet,
  conditionsFailed,
  getItem,
  keyId,
  queryAll,
  type TransactItems,
  transact,
} from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type {
  MembershipItem,
  MigrationItem,
  ScimGroupItem,
  ScimUserItem,
  UserItem,
} from '../shared/domain.ts';
import { retryLostRace } from '../shared/races.ts';
import { ENTITY, keys, queries } from '../shared/table.ts';
import { hashOf } from '../sso/signin.ts';
import { ScimError } from './protocol.ts';
import { afterFailure, domainItems, memberItems, scimThrow } from './provision.ts';
import {
  applyPatch,
  filteredList,
  inputOf,
  oldestFirst,
  patchOperations,
  readUser,
  toScimUser,
  type UserInput,
} from './resources.ts';
import type { ScimAuthority } from './token.ts';

const MAX_ATTEMPTS = 5;
const busy = () =>
  new ScimError(
    409,
    'This user kept changing while we saved (another request for them ran at the same time). Nothing was changed; retry.',
  );

/** Our SCIM id of a user: derived from the organization and the userName, so a retried create finds its first try. */
export const scimUserId = (orgId: string, userName: string) =>
  hashOf(`scim-user/${orgId}/${userName.toLowerCase()}`).slice(0, 32);
/** The user id of someone who joined through SCIM (no member had the address): derived, like `ssoUserId`. */
export const scimMemberId = (orgId: string, scimId: string) =>
  `scim-${hashOf(`${orgId}/${scimId}`).slice(0, 32)}`;

const groupsOf = (deps: Deps, orgId: string) =>
  queryAll<ScimGroupItem>(deps.db, deps.table, queries.scimGroups(orgId));

const notFound = (id: string) => new ScimError(404, `No SCIM user ${id.slice(0, 64)} in this organization.`);

async function loadUser(deps: Deps, orgId: string, id: string): Promise<ScimUserItem> {
  const u = await getItem<ScimUserItem>(deps.db, deps.table, keys.scimUser(orgId, id));
  if (!u) throw notFound(id);
  return u;
}

export async function getUser(deps: Deps, auth: ScimAuthority, base: string, id: string) {
  const u = await loadUser(deps, auth.orgId, id);
  return toScimUser(base, u, await groupsOf(deps, auth.orgId));
}

export async function listUsers(
  deps: Deps,
  auth: ScimAuthority,
  base: string,
  query: (name: string) => string | undefined,
) {
  const [users, groups] = await Promise.all([
    queryAll<ScimUserItem>(deps.db, deps.table, queries.scimUsers(auth.orgId)),
    groupsOf(deps, auth.orgId),
  ]);
  const all = users.sort(oldestFirst).map((u) => toScimUser(base, u, groups));
  return filteredList(all, query, (r) => ({ ...r, userName: String(r.userName).toLowerCase() }));
}

export async function createUser(deps: Deps, auth: ScimAuthority, base: string, body: unknown) {
  const input = readUser(body);
  const { orgId, org } = auth;
  const id = scimUserId(orgId, input.userName);
  return retryLostRace({ attempts: MAX_ATTEMPTS, exhausted: busy }, async () => {
    const emailKey = keys.memberEmail(orgId, input.email);
    const got = await batchGet(deps.db, deps.table, [keys.scimUser(orgId, id), emailKey]);
    if (got.get(keyId(keys.scimUser(orgId, id))))
      throw new ScimError(
        409,
        `A user with userName ${input.userName} exists already (id ${id}).`,
        'uniqueness',
      );
    const byEmail = got.get(keyId(emailKey)) as { user_id: string } | undefined;
    const at = deps.now().toISOString();
    const item: ScimUserItem = {
      entity: 'ScimUser',
      organization_id: orgId,
      id,
      user_name: input.userName,
      email: input.email,
      ...(input.externalId ? { external_id: input.externalId } : {}),
      ...(input.displayName ? { display_name: input.displayName } : {}),
      ...(input.givenName ? { given_name: input.givenName } : {}),
      ...(input.familyName ? { family_name: input.familyName } : {}),
      active: input.active,
      user_id: byEmail?.user_id ?? scimMemberId(orgId, id),
      linked: byEmail ? 'existing_member' : 'joined',
      created_at: at,
      updated_at: at,
      version: 1,
    };
    const member = input.active
      ? await memberItems(deps, auth, item, at).catch(scimThrow)
      : await domainItems(deps, auth, item.email);
    const items: TransactItems = {
      scimToken: auth.held,
      ...member,
      scimUser: {
        Put: {
          TableName: deps.table,
          Item: { ...keys.scimUser(orgId, id), ...item, entity: ENTITY.scimUser },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    };
    if (byEmail) {
      items.linkedEmail = emailHeldBy(deps, orgId, input.email, byEmail.user_id);
    }
    await transact(deps.db, items).catch((e) => {
      if (conditionsFailed(e)?.has('scimUser'))
        throw new ScimError(
          409,
          `A user with userName ${input.userName} exists already (id ${id}).`,
          'uniqueness',
        );
      return afterFailure(e, input.email, org);
    });
    return toScimUser(base, item, []);
  });
}

/** PUT and PATCH end here: the user as it will be, written with whatever its `active` change needs. */
async function saveUser(
  deps: Deps,
  auth: ScimAuthority,
  base: string,
  current: ScimUserItem,
  next: UserInput,
  remove = false,
) {
  const { orgId, org } = auth;
  if (next.userName.toLowerCase() !== current.user_name.toLowerCase() || next.email !== current.email) {
    throw new ScimError(
      400,
      `userName is the person's address here and cannot change (${current.user_name} to ${next.userName}). Deprovision this user and provision the new address.`,
      'mutability',
    );
  }
  const at = deps.now().toISOString();
  const updated: ScimUserItem = {
    ...current,
    user_name: next.userName,
    active: remove ? false : next.active,
    updated_at: at,
    version: current.version + 1,
  };
  for (const [field, value] of [
    ['external_id', next.externalId],
    ['display_name', next.displayName],
    ['given_name', next.givenName],
    ['family_name', next.familyName],
  ] as const) {
    if (value === undefined) delete updated[field];
    else updated[field] = value;
  }
  const held = {
    scimToken: auth.held,
    scimUser: remove
      ? {
          Delete: {
            TableName: deps.table,
            Key: keys.scimUser(orgId, current.id),
            ConditionExpression: 'version = :scimVersion',
            ExpressionAttributeValues: { ':scimVersion': current.version },
          },
        }
      : {
          Put: {
            TableName: deps.table,
            Item: { ...keys.scimUser(orgId, current.id), ...updated, entity: ENTITY.scimUser },
            ConditionExpression: 'version = :scimVersion',
            ExpressionAttributeValues: { ':scimVersion': current.version },
          },
        },
  } satisfies TransactItems;
  const membership = await getItem<MembershipItem>(
    deps.db,
    deps.table,
    keys.membership(orgId, current.user_id),
  );
  const leaving = !updated.active && membership !== undefined && (current.active || remove);
  if (leaving) {
    // The removal's own guards decide (last admin, a sole member's deployments, admin reachability); refused, nothing.
    const also = { ...held, ...(await endMove(deps, current.user_id, at)) };
    await removeMembers(deps, { scim: true }, orgId, [current.user_id], undefined, also).catch(scimThrow);
  } else {
    const joining = updated.active && !current.active;
    const member = joining ? await memberItems(deps, auth, updated, at).catch(scimThrow) : {};
    await transact(deps.db, { ...member, ...held }).catch((e) => afterFailure(e, current.email, org));
  }
  return remove ? undefined : toScimUser(base, updated, await groupsOf(deps, orgId));
}

/**
 * A move of the person's to another organization that has not left this one yet is cancelled in the removal's
 * transaction (its workflow then rolls back: every step up to the leave checks `cancel_requested_at`). Once it has
 * begun leaving, the leave takes the membership itself.
 */
async function endMove(deps: Deps, userId: string, at: string): Promise<TransactItems> {
  const user = await getItem<UserItem & { active_migration_id?: string }>(
    deps.db,
    deps.table,
    keys.user(userId),
  );
  if (!user?.active_migration_id) return {};
  const m = await getItem<MigrationItem>(deps.db, deps.table, keys.migration(user.active_migration_id));
  if (m?.status !== 'running' || m.leaving_at || m.cancel_requested_at) return {};
  return {
    move: {
      Update: {
        TableName: deps.table,
        Key: keys.migration(m.id),
        UpdateExpression: 'SET cancel_requested_at = :now, updated_at = :now',
        ConditionExpression: '#status = :running AND attribute_not_exists(leaving_at)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':now': at, ':running': 'running' },
      },
    },
  };
}

/** Read the user, decide, write; a lost race (the user or the membership changed meanwhile) reads again. */
const retried = <T>(attempt: () => Promise<T>) =>
  retryLostRace({ attempts: MAX_ATTEMPTS, exhausted: busy }, attempt);

export function replaceUser(deps: Deps, auth: ScimAuthority, base: string, id: string, body: unknown) {
  const input = readUser(body);
  return retried(async () => saveUser(deps, auth, base, await loadUser(deps, auth.orgId, id), input));
}

export function deleteUser(deps: Deps, auth: ScimAuthority, base: string, id: string) {
  return retried(async () => {
    const current = await loadUser(deps, auth.orgId, id);
    await saveUser(deps, auth, base, current, { ...inputOf(current), active: false }, true);
  });
}

/**
 * PATCH (RFC 7644 §3.5.2) through `scim-patch`: the operations applied to the user's SCIM representation (ops in any
 * case, as Entra ID sends "Replace"; paths with filters such as `emails[type eq "work"].value`; no path with a value
 * object), then saved like a replace. Entra's "True"/"False" strings are read as booleans.
 */
export async function patchUser(deps: Deps, auth: ScimAuthority, base: string, id: string, body: unknown) {
  const operations = patchOperations(body);
  return retried(async () => {
    const current = await loadUser(deps, auth.orgId, id);
    const patched = applyPatch(toScimUser(base, current, []), operations);
    return saveUser(deps, auth, base, current, readUser(patched));
  });
}
