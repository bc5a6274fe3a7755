/** The SSO identity item's part of a sign-in's transaction (`signin.ts`): created once, touched at every sign-in. */
import type { TransactItem } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { SsoIdentityItem } from '../shared/domain.ts';
import { ENTITY, keys } from '../shared/table.ts';

export function identityWrite(
  deps: Deps,
  i: {
    orgId: string;
    subject: string;
    userId: string;
    email: string;
    at: string;
    known: boolean;
    linked: boolean;
  },
): TransactItem {
  const key = keys.ssoIdentity(i.orgId, i.subject);
  if (i.known) {
    // Still the user it was linked to: an identity never moves to another user.
    return {
      Update: {
        TableName: deps.table,
        Key: key,
        UpdateExpression: 'SET last_sign_in_at = :now',
        ConditionExpression: 'user_id = :uid',
        ExpressionAttributeValues: { ':now': i.at, ':uid': i.userId },
      },
    };
  }
  const item: SsoIdentityItem = {
    entity: ENTITY.ssoIdentity,
    organization_id: i.orgId,
    subject: i.subject,
    user_id: i.userId,
    email: i.email,
    linked: i.linked ? 'existing_member' : 'joined',
    created_at: i.at,
    last_sign_in_at: i.at,
  };
  return {
    Put: {
      TableName: deps.table,
      Item: { ...key, ...item },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
