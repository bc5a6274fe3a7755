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

/** Practical address check: ASCII only (no homoglyph look-alikes), one @, a dotted domain, RFC length limits. */
const EMAIL =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const normaliseEmail = (raw: string): string => raw.trim().toLowerCase();
export const isValidEmail = (email: string): boolean =>
  EMAIL.test(email) && !email.startsWith('.') && !email.includes('..') && !email.split('@')[0]!.endsWith('.');

/** Split, normalise, validate and de-duplicate the requested addresses. */
export function parseEmails(input: string[] | string): string[] {
  const raw = Array.isArray(input) ? input.flatMap((e) => e.split(/[\s,;]+/)) : input.split(/[\s,;]+/);
  const emails = [...new Set(raw.map(normaliseEmail).filter((e) => e !== ''))];
  if (emails.length === 0) {
    throw new ApiError('root.invalid_data', 'Give at least one email address in "emails".', ['emails']);
  }
  if (emails.length > MAX_ADDRESSES) {
    throw new ApiError(
      'root.invalid_data',
      `Invite at most ${MAX_ADDRESSES} addresses per request (got ${emails.length}).`,
      ['emails'],
    );
  }
  const bad = emails.filter((e) => !isValidEmail(e));
  if (bad.length > 0) {
    throw new ApiError(
      'organization.invitation_invalid_email',
      `Not a valid email address: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}. Use plain ASCII addresses such as name@example.com.`,
      bad.slice(0, 20),
    );
  }
  return emails;
}

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
