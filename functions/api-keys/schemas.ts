/** The reference's `CreateApiKeyRequest` and `DeleteApiKeysRequest`, and the expiration durations we take. */
import { ApiError } from '../shared/errors.ts';
import type { Request } from '../shared/http.ts';
import * as z from '../shared/schema.ts';

export const createApiKeyRequest = z.object({
  description: z.displayString(z.minLength(1), z.maxLength(255)),
  /** A duration such as "90d", "12h"; "never" (or null): no expiry. Absent: the default, 90 days. */
  expiration: z.optional(z.nullable(z.string())),
  role_assignments: z.optional(z.unknown()),
});

export const deleteApiKeysRequest = z.object({
  keys: z.array(z.string()).check(z.minLength(1), z.maxLength(100)),
});

export const DEFAULT_EXPIRATION_DAYS = 90;
export const MAX_EXPIRATION_DAYS = 365;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

const invalidInput = (message: string, field: string) =>
  new ApiError('api_keys.invalid_input', message, [field]);

/** Milliseconds until expiry, or null for never; 400 api_keys.invalid_input past a year or under a minute. */
export function expirationMs(expiration: string | null | undefined): number | null {
  if (expiration === undefined) return DEFAULT_EXPIRATION_DAYS * UNIT_MS.d;
  if (expiration === null || expiration === 'never') return null;
  const m = /^(\d{1,9})([smhd])$/.exec(expiration);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : Number.NaN;
  if (!(ms >= UNIT_MS.m && ms <= MAX_EXPIRATION_DAYS * UNIT_MS.d)) {
    throw invalidInput(
      `expiration must be a duration from 1m to ${MAX_EXPIRATION_DAYS}d (such as "30d" or "12h"), or "never".`,
      'expiration',
    );
  }
  return ms;
}

export const API_KEY_ID = /^[0-9a-f]{32}$/;
const notFound = () => new ApiError('api_keys.key_not_found', 'You have no API key with that id.');

/** `{api_key_id}`: one id (GET), or up to 100 comma-separated (DELETE). */
export function apiKeyIds(req: Request, many: boolean): string[] {
  const ids = [...new Set(req.path('api_key_id', /^[^/]{1,4000}$/, notFound()).split(','))];
  if ((!many && ids.length > 1) || ids.length > 100 || ids.some((id) => !API_KEY_ID.test(id)))
    throw notFound();
  return ids;
}

export const checkIds = (ids: string[]): string[] => {
  const unique = [...new Set(ids)];
  if (unique.some((id) => !API_KEY_ID.test(id))) throw notFound();
  return unique;
};
