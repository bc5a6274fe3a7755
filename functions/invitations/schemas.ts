import {
  ADDRESS_SEPARATORS,
  canonicalEmail,
  MAX_EMAIL_LENGTH,
  MAX_LOCAL_PART_LENGTH,
} from '../shared/email.ts';
import { ApiError } from '../shared/errors.ts';
import * as z from '../shared/schema.ts';

export const MAX_ADDRESSES = 100;
export const DEFAULT_EXPIRY_MS = 72 * 3600_000;
const MIN_EXPIRY_MS = 3600_000;
const MAX_EXPIRY_MS = 30 * 24 * 3600_000;

/** The reference's `OrganizationInvitationRequest`; `emails` may also be one string of addresses. */
export const invitationRequest = z.object({
  emails: z.union([
    z.array(z.string().check(z.maxLength(320))).check(z.maxLength(1000)),
    z.string().check(z.maxLength(40_000)),
  ]),
  expires_in: z.optional(z.string().check(z.maxLength(20))),
  role_assignments: z.optional(z.unknown()),
});

/** Split, normalise, validate and de-duplicate the requested addresses (the rule lives in `shared/email.ts`). */
export function parseEmails(input: string[] | string): string[] {
  const raw = (Array.isArray(input) ? input : [input])
    .flatMap((e) => e.split(ADDRESS_SEPARATORS))
    .filter((e) => e !== '');
  if (raw.length === 0) {
    throw new ApiError('root.invalid_data', 'Give at least one email address in "emails".', ['emails']);
  }
  const bad = [...new Set(raw.filter((e) => canonicalEmail(e) === undefined))];
  const emails = [...new Set(raw.map(canonicalEmail).filter((e) => e !== undefined))];
  if (emails.length + bad.length > MAX_ADDRESSES) {
    throw new ApiError(
      'root.invalid_data',
      `Invite at most ${MAX_ADDRESSES} addresses per request (got ${emails.length + bad.length}).`,
      ['emails'],
    );
  }
  if (bad.length > 0) {
    throw new ApiError(
      'organization.invitation_invalid_email',
      `Not a valid email address: ${bad.slice(0, 5).map(show).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}. Use plain ASCII addresses of at most ${MAX_EMAIL_LENGTH} characters (${MAX_LOCAL_PART_LENGTH} before the @), such as name@example.com.`,
      bad.slice(0, 20),
    );
  }
  return emails;
}

/** Shows invisible and look-alike characters as escapes, so the message says what is wrong with the address. */
const show = (s: string): string => {
  const cut = s.length > 80 ? `${s.slice(0, 80)}…` : s;
  return cut.replace(/[^\x21-\x7e]/gu, (c) => `\\u{${c.codePointAt(0)!.toString(16).toUpperCase()}}`);
};

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3600_000, d: 86_400_000 };

/** `expires_in` such as `72h`, `3d`, `90m`: between 1 hour and 30 days. */
export function parseExpiresIn(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_EXPIRY_MS;
  const m = /^\s*(\d{1,6})\s*([mhd])\s*$/i.exec(raw);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]! : Number.NaN;
  if (!Number.isFinite(ms) || ms < MIN_EXPIRY_MS || ms > MAX_EXPIRY_MS) {
    throw new ApiError(
      'root.invalid_data',
      `expires_in must be a duration between 1h and 30d, such as 72h, 3d or 7d (got "${raw.slice(0, 20)}").`,
      ['expires_in'],
    );
  }
  return ms;
}

/** Invitation tokens are URL-safe base64 of 32 random bytes; anything else cannot be one. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,128}$/;
