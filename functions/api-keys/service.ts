/**
 * Organization API keys (Elastic's `/users/auth/keys`): a member makes keys for themselves, with roles no wider than
 * their own, that act for them in their organization until they expire, are deleted, or the member leaves. The secret
 * is shown once (the create answer) and stored only as its hash (`shared/api-key.ts`).
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { callerUnchanged, retryAuthorised } from '../organizations/membership.ts';
import { loadOrgAndMembership } from '../organizations/service.ts';
import { type ApiKeyItem, newApiKey } from '../shared/api-key.ts';
import { countAll, getItem, queryAll, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { UserItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { withinRoles } from '../shared/key-roles.ts';
import { parseRoleAssignments } from '../shared/role-assignments.ts';
import type { RoleAssignments } from '../shared/roles.ts';
import { ENTITY, keys, queries, ttlAt } from '../shared/table.ts';
import { checkIds, expirationMs } from './schemas.ts';

/** Keys a user may hold at once (expired ones count until deleted or gone by TTL). */
export const MAX_KEYS_PER_USER = 100;
/** An expired key's item stays this long (listed as expired), then TTL removes it. */
const KEEP_EXPIRED_MS = 30 * 86_400_000;

/** The reference's `ApiKeyResponse`; `key` only in the create answer. */
export interface ApiKey {
  id: string;
  user_id: string;
  organization_id: string;
  description: string;
  key?: string;
  creation_date: string;
  expiration_date?: string;
  role_assignments: RoleAssignments;
}

const toApiKey = (k: ApiKeyItem): ApiKey => ({
  id: k.id,
  user_id: k.user_id,
  organization_id: k.organization_id,
  description: k.description,
  creation_date: k.created_at,
  ...(k.expires_at ? { expiration_date: k.expires_at } : {}),
  role_assignments: k.role_assignments,
});

const invalidInput = (message: string, field?: string) =>
  new ApiError('api_keys.invalid_input', message, field ? [field] : undefined);

const personOnly = () =>
  new ApiError(
    'root.invalid_authentication',
    'API keys are managed by a signed-in person: send a bearer token, not an API key.',
  );

export interface CreateInput {
  description: string;
  expiration?: string | null;
  role_assignments?: unknown;
}

/** Make a key for the caller in their organization; roles default to the caller's own and may not exceed them. */
export async function createApiKey(deps: Deps, caller: Caller, input: CreateInput): Promise<ApiKey> {
  if (caller.apiKey) throw personOnly();
  const lifetime = expirationMs(input.expiration);
  const user = await getItem<UserItem>(deps.db, deps.table, keys.user(caller.userId));
  const orgId = user?.organization_id;
  if (!orgId) throw invalidInput('Join or create an organization first: an API key acts in one.');
  const count = await countAll(deps.db, deps.table, queries.apiKeysOfUser(caller.userId));
  if (count >= MAX_KEYS_PER_USER)
    throw invalidInput(`You have ${count} API keys, the most one person may hold; delete some first.`);
  return retryAuthorised(async () => {
    const { membership } = await loadOrgAndMembership(deps, orgId, caller);
    const roles =
      input.role_assignments === undefined
        ? membership.role_assignments
        : parseRoleAssignments(input.role_assignments, orgId);
    if (!withinRoles(roles, membership.role_assignments)) {
      throw invalidInput(
        'An API key cannot have roles you do not have yourself: choose among your own roles.',
        'role_assignments',
      );
    }
    const now = deps.now();
    const id = deps.newId();
    const { key, secretHash } = newApiKey(id);
    const expires = lifetime === null ? undefined : new Date(now.getTime() + lifetime);
    const item: ApiKeyItem = {
      entity: ENTITY.apiKey,
      id,
      user_id: caller.userId,
      organization_id: orgId,
      email: caller.email,
      ...(caller.name ? { name: caller.name } : {}),
      ...(caller.ssoOrg ? { sso_org: caller.ssoOrg } : {}),
      description: input.description,
      secret_hash: secretHash,
      role_assignments: roles,
      created_at: now.toISOString(),
      ...(expires ? { expires_at: expires.toISOString() } : {}),
    };
    await transact(deps.db, {
      key: {
        Put: {
          TableName: deps.table,
          Item: {
            ...keys.apiKey(id),
            ...keys.apiKeysOfUser(caller.userId, item.created_at),
            ...item,
            ...(expires ? { ttl: ttlAt(new Date(expires.getTime() + KEEP_EXPIRED_MS)) } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      // The roles checked are the caller's as read: a demotion meanwhile makes this a lost race, decided again.
      ...callerUnchanged(deps, membership),
    });
    return { ...toApiKey(item), key };
  });
}

/** The caller's keys, newest first (an index: a key made a moment ago may be missing). */
export async function listApiKeys(deps: Deps, caller: Caller): Promise<ApiKey[]> {
  const items = await queryAll<ApiKeyItem>(deps.db, deps.table, queries.apiKeysOfUser(caller.userId));
  return items.map(toApiKey);
}

const notFound = () => new ApiError('api_keys.key_not_found', 'You have no API key with that id.');

export async function getApiKey(deps: Deps, caller: Caller, id: string): Promise<ApiKey> {
  const item = await getItem<ApiKeyItem>(deps.db, deps.table, keys.apiKey(id));
  if (item?.user_id !== caller.userId) throw notFound();
  return toApiKey(item);
}

/**
 * Delete the caller's keys: each Delete is conditioned on the key being the caller's, so a key of someone else is
 * "not found" like a missing one. Deleted at once: the next request with it gets 401. 404 when none was the caller's.
 */
export async function deleteApiKeys(deps: Deps, caller: Caller, ids: string[]): Promise<void> {
  if (caller.apiKey) throw personOnly();
  const results = await Promise.all(
    checkIds(ids).map(async (id) => {
      try {
        await deps.db.send(
          new DeleteCommand({
            TableName: deps.table,
            Key: keys.apiKey(id),
            ConditionExpression: 'user_id = :me',
            ExpressionAttributeValues: { ':me': caller.userId },
          }),
        );
        return true;
      } catch (e) {
        if ((e as Error).name === 'ConditionalCheckFailedException') return false;
        throw e;
      }
    }),
  );
  if (!results.some(Boolean)) throw notFound();
}
