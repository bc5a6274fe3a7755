/**
 * The one rule for email addresses, applied to invited addresses and to the caller's email claim alike.
 *
 * Anything outside printable ASCII is refused *before* any normalisation: JavaScript's `toLowerCase` folds the KELVIN
 * SIGN (U+212A) into `k` and `trim` strips NBSP and U+3000, so normalising first would turn a look-alike address into
 * the real one. Only ASCII letters are lower-cased and only ASCII spaces are trimmed.
 */

/** RFC 5321: a path holds at most 256 octets with its angle brackets, so an address at most 254; a local part 64. */
export const MAX_EMAIL_LENGTH = 254;
export const MAX_LOCAL_PART_LENGTH = 64;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const ADDRESS =
  /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const asciiLower = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/**
 * The canonical form of an address (ASCII spaces trimmed, ASCII letters lower-cased), or undefined when it is not
 * one this service accepts: non-ASCII anywhere, too long, or not shaped like name@example.com.
 */
export function canonicalEmail(raw: string): string | undefined {
  if (!PRINTABLE_ASCII.test(raw)) return undefined;
  const email = asciiLower(raw.replace(/^ +| +$/g, ''));
  if (email.length > MAX_EMAIL_LENGTH || !ADDRESS.test(email)) return undefined;
  const local = email.split('@')[0]!;
  if (local.startsWith('.') || local.endsWith('.') || email.includes('..')) return undefined;
  return email;
}

/** Separators between addresses in one string: ASCII only, so U+3000 or NBSP stay inside an address and refuse it. */
export const ADDRESS_SEPARATORS = /[ \t\r\n\f\v,;]+/;
