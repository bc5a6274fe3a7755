/** A request's body: its size, its declared type, and JSON parsed so that nothing in it can reach a prototype. */
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
  const body = rawBody(event);
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (
    body !== undefined &&
    type &&
    type !== 'application/json' &&
    !/^application\/[\w.+-]+\+json$/.test(type)
  ) {
    throw new ApiError(
      'root.unsupported_media_type',
      'Send the request body as JSON, with the header "Content-Type: application/json".',
    );
  }
  return body;
}

function rawBody(event: BodyEvent): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const size = event.isBase64Encoded
    ? Math.floor((event.body.length * 3) / 4)
    : Buffer.byteLength(event.body);
  if (size > MAX_BODY_BYTES) {
    throw new ApiError(
      'root.payload_too_large',
      `The request body is larger than ${MAX_BODY_BYTES / 1024} KiB.`,
    );
  }
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/**
 * JSON.parse, refusing what parses but cannot be kept: a lone UTF-16 surrogate ("\\ud800" is not text, and DynamoDB
 * cannot store it) and a key named __proto__ (objects, the validator and the DynamoDB marshaller all drop it silently).
 * The slower reviver pass runs only when the text could hold either.
 */
function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  let problem: 'lone' | 'proto' | undefined = text.isWellFormed() ? undefined : 'lone';
  const inspect = text.includes('\\u') || text.includes('__proto__');
  let value: unknown;
  try {
    value = inspect
      ? JSON.parse(text, (key, v) => {
          if (key === '__proto__') problem ??= 'proto';
          else if (!key.isWellFormed() || (typeof v === 'string' && !v.isWellFormed())) problem ??= 'lone';
          return v;
        })
      : JSON.parse(text);
  } catch {
    throw new ApiError('root.invalid_json', 'The request body is not valid JSON.');
  }
  if (problem === 'lone') {
    throw new ApiError(
      'root.invalid_json',
      'The request body holds a lone UTF-16 surrogate (such as \\ud800), which is not valid text.',
    );
  }
  if (problem === 'proto') {
    throw new ApiError('root.invalid_json', 'The request body has a key named __proto__; rename it.');
  }
  return value;
}
