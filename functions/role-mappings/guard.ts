/**
 * What every change to an organization's SSO settings (its IdP and its role mappings) writes besides itself: the
 * organization item, open and at the `sso_version` read (so the mappings and the IdP are those the change was decided
 * on) and bumped; and the hold on whoever keeps an organization-admin reachable (`reachability.ts`).
 *
 * Held by conditions: the set of mappings and the IdP (the organization's `sso_version`), the caller's membership
 * (`callerUnchanged`), and the member the rule relies on, by their membership's version. The member side (demoting or
 * removing an admin who did not join through SSO) runs the same rule: `holdAdminReachableWithout`.
 */
import { queryAll, type TransactItem, type TransactItems } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem, OrganizationItem, RoleMappingItem } from '../shared/domain.ts';
import { isOrgAdmin } from '../shared/roles.ts';
import { keys, queries } from '../shared/table.ts';
import type { MappingLike } from './evaluate.ts';
import { adminUnreachable, adminWitness, throughIdp } from './reachability.ts';

export const loadRoleMappings = (deps: Deps, orgId: string): Promise<RoleMappingItem[]> =>
  queryAll<RoleMappingItem>(deps.db, deps.table, queries.roleMappings(orgId));

/** The organization item's part: open, at the SSO version read, bumped; plus `set`/`remove` of the IdP. */
export function ssoOrganizationUpdate(
  deps: Deps,
  org: OrganizationItem,
  idp?: { set: unknown } | { remove: true },
): TransactItem {
  const values: Record<string, unknown> = { ':one': 1, ':open': 'open' };
  if (org.sso_version !== undefined) values[':ssoVersion'] = org.sso_version;
  if (idp && 'set' in idp) values[':idp'] = idp.set;
  return {
    Update: {
      TableName: deps.table,
      Key: keys.organization(org.id),
      UpdateExpression: [
        idp && 'set' in idp ? 'SET idp = :idp' : '',
        'ADD sso_version :one',
        idp && 'remove' in idp ? 'REMOVE idp' : '',
      ]
        .filter(Boolean)
        .join(' '),
      ConditionExpression: `#status = :open AND ${
        org.sso_version === undefined ? 'attribute_not_exists(sso_version)' : 'sso_version = :ssoVersion'
      }${idp && 'remove' in idp ? ' AND attribute_exists(idp)' : ''}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * The items that hold an organization-admin reachable after the change (the mappings and whether SSO is on, as they
 * will be), or a 400 saying why none would be. The caller (an organization-admin, held by `callerUnchanged`) is the
 * witness when they did not join through SSO, without reading the members.
 */
export async function holdAdminReachable(
  deps: Deps,
  org: OrganizationItem,
  caller: MembershipItem,
  after: { ssoOn: boolean; mappings: readonly (MappingLike & { name: string })[] },
): Promise<TransactItems> {
  const members = !throughIdp(caller)
    ? [caller]
    : await queryAll<MembershipItem>(deps.db, deps.table, queries.members(org.id));
  const witness = adminWitness({ ...after, members }, caller.user_id);
  if (!witness) throw adminUnreachable(after.ssoOn);
  if ('mapping' in witness || witness.member === caller.user_id) return {};
  const held = members.find((m) => m.user_id === witness.member);
  return {
    witness: {
      ConditionCheck: {
        TableName: deps.table,
        Key: keys.membership(org.id, witness.member),
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': held?.version },
      },
    },
  };
}

/**
 * The member side of the rule: `losing` (user ids) lose organization-admin, demoted or removed. What holds a way to an
 * admin after that: nothing more when the caller is a non-SSO admin who keeps it (their membership is held by
 * `callerUnchanged`); else another non-SSO admin (by their membership's version), or an enabled mapping granting it
 * while SSO is on (then `orgCondition`, for the organization item the change already updates: the SSO settings as
 * read). A 400 saying why when there is none. The members are read only when the caller cannot be the witness.
 */
export async function holdAdminReachableWithout(
  deps: Deps,
  org: OrganizationItem,
  /** The caller's membership; a stand-in with no roles when nobody is (a SCIM removal). */
  caller: Pick<MembershipItem, 'user_id' | 'role_assignments' | 'joined_through'>,
  losing: readonly string[],
): Promise<{ items: TransactItems; orgCondition?: { expression: string; values: Record<string, unknown> } }> {
  // Never an IdP nor a mapping (no `sso_version`): nobody joined through SSO, and `admin_count` is the whole rule.
  if (org.sso_version === undefined)
    return { items: {}, orgCondition: { expression: 'attribute_not_exists(sso_version)', values: {} } };
  const callerStays = !losing.includes(caller.user_id) && isOrgAdmin(caller.role_assignments);
  if (callerStays && !throughIdp(caller)) return { items: {} };
  const ssoOn = org.idp?.enabled === true;
  const members = (await queryAll<MembershipItem>(deps.db, deps.table, queries.members(org.id))).filter(
    (m) => !losing.includes(m.user_id),
  );
  const mappings = ssoOn ? await loadRoleMappings(deps, org.id) : [];
  const witness = adminWitness({ ssoOn, mappings, members }, caller.user_id);
  if (!witness) throw adminUnreachable(ssoOn);
  if ('mapping' in witness) {
    return {
      items: {},
      orgCondition: { expression: 'sso_version = :ssoVersion', values: { ':ssoVersion': org.sso_version } },
    };
  }
  if (witness.member === caller.user_id) return { items: {} };
  const held = members.find((m) => m.user_id === witness.member)!;
  return {
    items: {
      witness: {
        ConditionCheck: {
          TableName: deps.table,
          Key: keys.membership(org.id, held.user_id),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': held.version },
        },
      },
    },
  };
}
