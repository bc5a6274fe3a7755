/**
 * The membership side of a SCIM user (`users.ts`): the items that make an active user a member (or keep a linked
 * member held), and SCIM's words for the refusals on the way.
 */
import { domainOwned, joinItems } from '../organizations/membership.ts';
import { mappedRoles } from '../role-mappings/evaluate.ts';
import { loadRoleMappings } from '../role-mappings/guard.ts';
import {
  batchGet,
  conditionsFailed,
  countOnOrganization,
  getItem,
  keyId,
  queryAll,
  type TransactItems,
} from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type {
  DomainItem,
  MembershipItem,
  OrganizationItem,
  ScimGroupItem,
  ScimUserItem,
  UserItem,
} from '../shared/domain.ts';
import { isApiError } from '../shared/errors.ts';
import { isOrgAdmin } from '../shared/roles.ts';
import { keys, queries } from '../shared/table.ts';
import { ScimError } from './protocol.ts';
import type { ScimAuthority } from './token.ts';

const outsideDomains = (email: string, org: OrganizationItem) =>
  new ScimError(
    400,
    `${email} is not in a domain ${org.name} has verified, so it cannot be provisioned there. Claim ${email.slice(email.lastIndexOf('@') + 1)} in the organization's settings first, or leave this user out of the app's assignments.`,
    'invalidValue',
  );

async function belongsElsewhere(deps: Deps, email: string, user: UserItem, org: OrganizationItem) {
  const theirs = user.organization_id
    ? await getItem<OrganizationItem>(deps.db, deps.table, keys.organization(user.organization_id))
    : undefined;
  return new ScimError(
    409,
    `${email} is a member of ${theirs?.name ?? 'another organization'}, and a person belongs to one organization at a time, so ${org.name} cannot provision them. They can move with their deployments: an admin of ${org.name} invites them and they choose "Move to another organization" in the console.`,
    'uniqueness',
  );
}

/** An inactive user is kept only for an address in a verified domain too (held by the same condition). */
export async function domainItems(deps: Deps, auth: ScimAuthority, email: string): Promise<TransactItems> {
  const key = keys.domain(email.slice(email.lastIndexOf('@') + 1));
  const owner = await getItem<DomainItem>(deps.db, deps.table, key);
  if (owner?.organization_id !== auth.orgId) throw outsideDomains(email, auth.org);
  const check = {
    ConditionExpression: 'organization_id = :org',
    ExpressionAttributeValues: { ':org': auth.orgId },
  };
  return { domain: { ConditionCheck: { TableName: deps.table, Key: key, ...check } } };
}

/**
 * The items that make an active SCIM user a member (or keep a member linked), beside the SCIM user's own write:
 * the domain held as this organization's, and either the existing membership held or the join.
 */
export async function memberItems(
  deps: Deps,
  auth: ScimAuthority,
  u: Pick<ScimUserItem, 'id' | 'email' | 'user_id' | 'given_name' | 'family_name' | 'display_name'>,
  at: string,
): Promise<TransactItems> {
  const { orgId } = auth;
  const domain = u.email.slice(u.email.lastIndexOf('@') + 1);
  const userKey = keys.user(u.user_id);
  const memberKey = keys.membership(orgId, u.user_id);
  const orgKey = keys.organization(orgId);
  const got = await batchGet(deps.db, deps.table, [keys.domain(domain), userKey, memberKey, orgKey]);
  const org = got.get(keyId(orgKey)) as OrganizationItem | undefined;
  if (org?.status !== 'open') throw new ScimError(404, 'This organization is closed.');
  const owner = got.get(keyId(keys.domain(domain))) as DomainItem | undefined;
  if (owner?.organization_id !== orgId) throw outsideDomains(u.email, org);
  const user = got.get(keyId(userKey)) as (UserItem & { active_migration_id?: string }) | undefined;
  const membership = got.get(keyId(memberKey)) as MembershipItem | undefined;
  const items: TransactItems = {
    domain: domainOwned(deps, domain, orgId),
  };
  if (user?.organization_id && user.organization_id !== orgId)
    throw await belongsElsewhere(deps, u.email, user, org);
  if (membership) {
    items.member = {
      ConditionCheck: {
        TableName: deps.table,
        Key: memberKey,
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': membership.version },
      },
    };
    return items;
  }
  if (user?.organization_id === orgId) throw lostRace(); // the lock says member, the membership is not there yet
  if (user?.active_migration_id) {
    throw new ScimError(
      409,
      `${u.email} is moving to another organization with their deployments; provision them after the move ends.`,
      'uniqueness',
    );
  }
  const groups = (await queryAll<ScimGroupItem>(deps.db, deps.table, queries.scimGroups(orgId)))
    .filter((g) => g.members.includes(u.id))
    .map((g) => g.display_name);
  const roles = mappedRoles(await loadRoleMappings(deps, orgId), { email: u.email, groups });
  const name = u.display_name ?? ([u.given_name, u.family_name].filter(Boolean).join(' ') || undefined);
  const caller = { userId: u.user_id, email: u.email, emailVerified: true, ...(name ? { name } : {}) };
  const { userLock, ...join } = joinItems(deps, caller, orgId, roles, at, undefined, 'scim');
  userLock.Update.ConditionExpression += ' AND attribute_not_exists(active_migration_id)';
  return {
    ...items,
    ...join,
    userLock,
    organizationCount: countOnOrganization(deps.table, orgKey, {
      member_count: 1,
      admin_count: isOrgAdmin(roles) ? 1 : 0,
    }),
  };
}

const lostRace = () =>
  Object.assign(new Error('read mid-change'), { name: 'ConditionalCheckFailedException' });

/** A refusal of the membership side, in SCIM's words (the removal's guards say why in the API's). */
function scimRefusal(e: unknown): unknown {
  if (!isApiError(e)) return e;
  if (e.status === 404) return new ScimError(404, e.message);
  return new ScimError(
    e.status >= 500 ? e.status : 409,
    e.message,
    e.status === 400 ? undefined : 'uniqueness',
  );
}

/** A failed transaction: the address taken by another account of the organization meanwhile, or a lost race. */
export function afterFailure(e: unknown, email: string, org: OrganizationItem): never {
  const failed = conditionsFailed(e);
  if (failed?.has('scimToken'))
    throw new ScimError(401, 'The SCIM token was rotated or deleted while this request ran.');
  if (failed?.has('domain')) throw outsideDomains(email, org);
  if (failed?.has('memberEmail'))
    throw new ScimError(
      409,
      `Another account with ${email} became a member of ${org.name} meanwhile; retry.`,
      'uniqueness',
    );
  throw e;
}

export const scimThrow = (e: unknown): never => {
  throw scimRefusal(e);
};
