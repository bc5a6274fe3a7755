/**
 * A request's body: its size, its declared type, its bytes decoded as UTF-8 (strictly), and JSON parsed so that nothing
 * in it can reach a prototype.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiError } from './errors.ts';

/** Requests larger than this are refused before parsing (API Gateway allows 10 MB; nothing here needs more). */
export const MAX_BODY_BYTES = 64 * 1024;

type BodyEvent = Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded' | 'headers'>;

/** The body as JSON (undefined when there is none), or a 4xx saying what is wrong with it. */
export const readJsonBody = (event: BodyEvent): unknown => parseJson(jsonBody(event));

/**
 * The body, which must be JSON: sent with another declared type (a form, `text/plain`, XML) it is refused with 415,
 * not guessed at. Without a content type it is read as JSON, as the reference's clients send it.
 */
function jsonBody(event: BodyEvent): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  checkSize(event.body, event.isBase64Encoded);
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type && type !== 'application/json' && !/^application\/[\w.+-]+\+json$/.test(type)) {
    throw new ApiError(
      'root.unsupported_media_type',
      'Send the request body as JSON, with the header "Content-Type: application/json".',
    );
  }
  // API Gateway passes a body base64-encoded when it does not take its type for text (no type, `+json` types), and the
  // local gateway also when its bytes are not UTF-8: decoded strictly here, so both paths refuse the same bytes.
  return event.isBase64Encoded ? decodeUtf8(Buffer.from(event.body, 'base64')) : event.body;
}

function checkSize(body: string, base64: boolean | undefined): void {
  const size = base64 ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body);
  if (size > MAX_BODY_BYTES) {
    throw new ApiError(
      'root.payload_too_large',
      `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`,
    );
  }
}

// Fatal: a byte that is not UTF-8 refuses the body, never becomes U+FFFD (which would be stored as if it had been sent).
// The BOM is kept, so JSON.parse refuses a body that starts with one whichever way the gateway passed it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as text, or 400 root.invalid_json naming the first byte that is not UTF-8 and where it is. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    const byte = `byte 0x${(bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0')} at offset ${at}`;
    throw new ApiError(
      'root.invalid_json',
      `The request body is not valid UTF-8 (${byte}). Send JSON encoded as UTF-8.`,
    );
  }
}

/**
 * Where the first ill-formed sequence starts (Unicode's table 3-7: no overlong forms, no encoded surrogates, nothing
 * past U+10FFFF), or bytes.length when none does. Runs only once the decoder has refused, to say where.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return i;
}

/** A number that might not survive a double: an exponent, a minus zero, or 16 digits in a row. */
const MAYBE_UNKEEPABLE_NUMBER = /\d[eE]|-0|\d{16}/;

/**
 * Why a JSON number cannot be kept as sent (JSON.parse reads numbers as doubles, and the stored value is that double):
 * beyond the double range it became Infinity (stored as null), below it 0, `-0` reads back as 0, and an integer past
 * 2^53 that a double cannot hold comes back as another integer. Undefined when it is kept. More than 17 significant
 * digits of a fraction are rounded as in any JSON parser; that is the one change left, and docs/api.md says so.
 */
export function numberProblem(value: number, source: string): string | undefined {
  if (!Number.isFinite(value)) return 'is beyond the range of numbers that can be stored';
  if (value === 0) {
    if (/[1-9]/.test(source.split(/[eE]/)[0] ?? '')) return 'is too small to store (it would become 0)';
    if (source.startsWith('-')) return 'is a negative zero (it would become 0)';
    return undefined;
  }
  // Past 2^53 a double holds only some integers: 2^53 itself reads back, 2^53 + 1 comes back as 2^53.
  if (/^-?\d+$/.test(source) && !Number.isSafeInteger(value) && BigInt(source) !== BigInt(value))
    return `is an integer a double cannot hold exactly (it would become ${BigInt(value)})`;
  return undefined;
}

/**
 * JSON.parse, refusing what parses but cannot be kept: a lone UTF-16 surrogate ("\\ud800" is not text, and DynamoDB
 * cannot store it), a key named __proto__ (objects, the validator and the DynamoDB marshaller all drop it silently),
 * and a number that would not read back as sent (`numberProblem`). The slower reviver pass runs only when the text
 * could hold one of them.
 */
function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  let problem: 'lone' | 'proto' | undefined;
  let badNumber: { key: string; source: string; why: string } | undefined;
  // Where the surrogate is: the key it was found in or under (reviver keys, not full paths), when the parse saw it.
  let where: string | undefined;
  let field: string | undefined;
  const wellFormed = text.isWellFormed();
  const inspect =
    !wellFormed || text.includes('\\u') || text.includes('__proto__') || MAYBE_UNKEEPABLE_NUMBER.test(text);
  let value: unknown;
  try {
    value = inspect
      ? JSON.parse(text, (key, v, context?: { source?: string }) => {
          if (typeof v === 'number' && context?.source !== undefined && !badNumber) {
            const why = numberProblem(v, context.source);
            if (why) badNumber = { key, source: context.source, why };
          }
          if (key === '__proto__') problem ??= 'proto';
          else if (!key.isWellFormed()) {
            problem ??= 'lone';
            where ??= 'a key';
          } else if (typeof v === 'string' && !v.isWellFormed()) {
            problem ??= 'lone';
            if (where === undefined && key !== '') field = key;
            where ??= key === '' ? 'the body' : `the value of "${key}"`;
          }
          return v;
        })
      : JSON.parse(text);
  } catch {
    throw new ApiError('root.invalid_json', 'The request body is not valid JSON.');
  }
  if (!wellFormed) problem = 'lone';
  if (problem === 'lone') {
    throw new ApiError(
      'root.invalid_json',
      `The request body holds a lone UTF-16 surrogate (such as \\ud800)${where ? ` in ${where}` : ''}, which is not valid text and cannot be stored; send whole characters.`,
      field === undefined ? undefined : [field],
    );
  }
  if (badNumber) {
    throw new ApiError(
      'root.invalid_json',
      `The number ${badNumber.source.slice(0, 40)}${badNumber.key ? ` in "${badNumber.key}"` : ''} ${badNumber.why}, so it would not read back as sent; send a number a double holds (up to ±1.8e308, integers exactly up to 2^53), or a string.`,
      badNumber.key ? [badNumber.key] : undefined,
    );
  }
  if (problem === 'proto') {
    throw new ApiError('root.invalid_json', 'The request body has a key named __proto__; rename it.');
  }
  return value;
}
