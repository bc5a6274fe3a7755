/**
 * Organization API keys as credentials: the key's format, its stored hash, and the check every request sent with
 * `Authorization: ApiKey <key>` passes (the local gateway, the AWS Lambda authorizer and, for the key's state, every
 * handler: `confirmApiKey`). A key is `omk_<id>_<secret>`: `id` (32 hex) names the item, one GetItem; `secret` is 256
 * bits from the OS CSPRNG, base64url. Only SHA-256 of the secret is stored: a high-entropy secret needs no slow hash
 * (bcrypt and the like slow down guessing low-entropy passwords; 2^256 is out of reach anyway), and a fast hash keeps
 * every request's check cheap.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { getItem } from './db.ts';
import type { Deps } from './deps.ts';
import type { MembershipItem } from './domain.ts';
import { ApiError } from './errors.ts';
import type { RoleAssignments } from './roles.ts';
import { keys } from './table.ts';

export const API_KEY_PREFIX = 'omk_';
const KEY_PATTERN = /^omk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

/** The item of one key (`keys.apiKey(id)`); never the secret itself. */
export interface ApiKeyItem {
  entity: 'ApiKey';
  id: string;
  user_id: string;
  organization_id: string;
  /** The creator's address and name when the key was made: what the handlers see as the caller's. */
  email: string;
  name?: string;
  /** The organization whose IdP signed the creator in, when it did: an SSO-required organization accepts the key. */
  sso_org?: string;
  description: string;
  /** base64url SHA-256 of the secret. */
  secret_hash: string;
  role_assignments: RoleAssignments;
  created_at: string;
  /** ISO time; absent: never expires. */
  expires_at?: string;
  revoked_at?: string;
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('base64url');

/** A new key: the string shown once, its id, and the hash to store. */
export function newApiKey(id: string): { key: string; secretHash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { key: `${API_KEY_PREFIX}${id}_${secret}`, secretHash: hashSecret(secret) };
}

/** `Authorization: ApiKey <key>` (scheme case-insensitive, as HTTP says) → id and secret, or undefined. */
export function parseApiKey(authorization: string | undefined): { id: string; secret: string } | undefined {
  const m = /^ApiKey\s+(\S+)\s*$/i.exec(authorization ?? '');
  const k = m ? KEY_PATTERN.exec(m[1]!) : null;
  return k ? { id: k[1]!, secret: k[2]! } : undefined;
}

/** Constant-time comparison of the sent secret's hash with the stored one. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a key is refused now (undefined: usable). The creator must still be a member of the key's organization. */
export function keyRefusal(
  item: ApiKeyItem | undefined,
  creator: MembershipItem | undefined,
  now: Date,
): 'unknown' | 'revoked' | 'expired' | 'creator_left' | undefined {
  if (!item) return 'unknown';
  if (item.revoked_at) return 'revoked';
  if (item.expires_at && Date.parse(item.expires_at) <= now.getTime()) return 'expired';
  if (!creator) return 'creator_left';
  return undefined;
}

/** The key and its creator's membership: two strongly consistent GetItems (the second needs the first's answer). */
export async function loadKeyAndCreator(
  deps: Pick<Deps, 'db' | 'table'>,
  id: string,
): Promise<{ item?: ApiKeyItem; creator?: MembershipItem }> {
  const item = await getItem<ApiKeyItem>(deps.db, deps.table, keys.apiKey(id));
  if (!item) return {};
  const creator = await getItem<MembershipItem>(
    deps.db,
    deps.table,
    keys.membership(item.organization_id, item.user_id),
  );
  return { item, creator };
}

/**
 * Claims for a request sent with an API key, in the shape the handlers read (`callerFrom`): `sub`, `email`,
 * `email_verified` ("false": what needs a verified address, accepting invitations and moves, needs a person), and
 * `api_key_id`, `api_key_org`, `api_key_roles` (JSON) that bound the caller's roles. Undefined when refused.
 */
export async function verifyApiKey(
  deps: Pick<Deps, 'db' | 'table' | 'now'>,
  authorization: string | undefined,
): Promise<Record<string, string> | undefined> {
  const parsed = parseApiKey(authorization);
  if (!parsed) return undefined;
  const { item, creator } = await loadKeyAndCreator(deps, parsed.id);
  if (!item || !secretMatches(parsed.secret, item.secret_hash)) return undefined;
  if (keyRefusal(item, creator, deps.now())) return undefined;
  return apiKeyClaims(item);
}

export const apiKeyClaims = (item: ApiKeyItem): Record<string, string> => ({
  sub: item.user_id,
  email: item.email,
  email_verified: 'false',
  ...(item.name ? { name: item.name } : {}),
  ...(item.sso_org ? { sso_org: item.sso_org, sso_sub: item.user_id } : {}),
  api_key_id: item.id,
  api_key_org: item.organization_id,
  api_key_roles: JSON.stringify(item.role_assignments),
});

/** 401 unless the key is usable now (not revoked, not expired, its creator still a member): every handler asks. */
export async function confirmApiKey(deps: Pick<Deps, 'db' | 'table' | 'now'>, id: string): Promise<void> {
  const { item, creator } = await loadKeyAndCreator(deps, id);
  const refusal = keyRefusal(item, creator, deps.now());
  if (refusal) {
    throw new ApiError(
      'root.unauthorized',
      refusal === 'expired'
        ? 'This API key has expired: create another one.'
        : 'This API key is not valid (revoked, or its creator left the organization).',
    );
  }
}
