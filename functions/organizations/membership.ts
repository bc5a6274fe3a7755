/** Joining an organization, shared by creating one and accepting an invitation: the same three items, always together. */
import type { Deps } from '../shared/deps.ts';
import type { MembershipItem } from '../shared/domain.ts';
import type { Caller } from '../shared/http.ts';
import { isOrgAdmin, type RoleAssignments } from '../shared/roles.ts';
import { ENTITY, keys } from '../shared/table.ts';

/**
 * Transaction items that make `caller` a member of `orgId`, in this order: the user's one-organization lock
 * (conditional: fails when they belong elsewhere), the membership, the member-email marker.
 */
export function joinItems(
  deps: Deps,
  caller: Caller,
  orgId: string,
  roleAssignments: RoleAssignments,
  now: string,
  /** The invitation accepted (token and the version read), recorded on the membership as its provenance. */
  joinedVia?: MembershipItem['joined_via'],
) {
  const membership: MembershipItem = {
    entity: ENTITY.membership,
    organization_id: orgId,
    user_id: caller.userId,
    email: caller.email,
    ...(caller.name ? { name: caller.name } : {}),
    member_since: now,
    role_assignments: roleAssignments,
    is_admin: isOrgAdmin(roleAssignments),
    version: 1,
    ...(joinedVia ? { joined_via: joinedVia } : {}),
  };
  return [
    {
      Update: {
        TableName: deps.table,
        Key: keys.user(caller.userId),
        UpdateExpression:
          'SET entity = :user, user_id = :uid, email = :email, created_at = if_not_exists(created_at, :now), organization_id = :org',
        ConditionExpression: 'attribute_not_exists(organization_id)',
        ExpressionAttributeValues: {
          ':user': ENTITY.user,
          ':uid': caller.userId,
          ':email': caller.email,
          ':now': now,
          ':org': orgId,
        },
      },
    },
    {
      Put: {
        TableName: deps.table,
        Item: { ...keys.membership(orgId, caller.userId), ...membership },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: deps.table,
        Item: {
          ...keys.memberEmail(orgId, caller.email),
          entity: ENTITY.memberEmail,
          user_id: caller.userId,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}
