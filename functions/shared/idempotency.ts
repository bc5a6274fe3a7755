/**
 * `Idempotency-Key` on POST routes (the ask): the same key with the same request within 24 hours answers the
 * first answer again, status, headers and body as they were (plus `idempotent-replayed: true`); with another request,
 * 422 `root.idempotency_key_reused`; while the first still runs, 409 `root.idempotency_key_in_progress`. Powertools'
 * idempotency utility keeps the records on the service's own table (`keys.idempotency`, TTL on `ttl`); `http.ts`'s
 * wrappers apply it to every POST route but `NOT_IDEMPOTENT_ROUTES`.
 */
import { createHash } from 'node:crypto';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyInconsistentStateError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { dynamoClient } from './clients.ts';
import { config } from './config.ts';
import { ApiError } from './errors.ts';
import { type Key, keys, TABLE } from './table.ts';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** How long a key and its answer are kept: the record's `ttl` (DynamoDB deletes it some time after). */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;
/** A run that never finished (a crash, a timeout) holds its key this long: the functions' timeout (`infra`). */
const IN_PROGRESS_MS = 15_000;

/**
 * POST routes without it:
 * - the SSO bridge's protocol endpoints. The OAuth token endpoint has its own single use (an authorization code is
 *   taken once; RFC 6749 says a second use is refused, not answered again) and its answers are tokens, which must not
 *   be stored; the SAML ACS is posted by a browser form from the IdP, which sends no such header, and an assertion id
 *   is accepted once already;
 * - the routes whose answer is a secret shown once (an API key, a SCIM token): a stored answer would keep the secret in
 *   the table in clear, which only its hash may be;
 * - SCIM's create: its own protocol, whose clients send no such header, and a retried create finds its first try
 *   (409 `uniqueness`).
 */
export const NOT_IDEMPOTENT_ROUTES: ReadonlySet<string> = new Set([
  'POST /api/v1/sso/token',
  'POST /api/v1/saml/acs/{organization_id}',
  'POST /api/v1/users/auth/keys',
  'POST /api/v1/organizations/{organization_id}/scim/token',
  'POST /scim/v2/{organization_id}/{resource}',
]);

/** Whether a route takes an Idempotency-Key (by its route key, `POST /api/v1/…`). */
export const takesIdempotencyKey = (routeKey: string): boolean =>
  routeKey.startsWith('POST ') && !NOT_IDEMPOTENT_ROUTES.has(routeKey);

/** 1 to 255 printable ASCII characters (space to tilde). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** The request's Idempotency-Key, undefined without one; one that is not 1-255 printable ASCII characters is a 400. */
export function idempotencyKeyOf(
  headers: Record<string, string | undefined> | undefined,
): string | undefined {
  const name = IDEMPOTENCY_HEADER.toLowerCase();
  const found = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name);
  if (found?.[1] === undefined) return undefined;
  if (!KEY_PATTERN.test(found[1])) {
    throw new ApiError(
      'root.invalid_data',
      `The ${IDEMPOTENCY_HEADER} header must be 1 to 255 printable ASCII characters.`,
      [IDEMPOTENCY_HEADER],
    );
  }
  return found[1];
}

/** What makes two requests the same one: method, path (with the query) and the body's bytes. */
function requestHash(event: APIGatewayProxyEventV2): string {
  const body =
    event.body === undefined
      ? Buffer.alloc(0)
      : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return createHash('sha256')
    .update(
      `${event.requestContext?.http?.method ?? ''} ${event.rawPath ?? ''}?${event.rawQueryString ?? ''}\n`,
    )
    .update(body)
    .digest('base64');
}

/**
 * Powertools' DynamoDB store on the service's table, one per request: the record's key is `keys.idempotency` (the
 * library's own key, a hash of the payload, is not used), its expiry is the table's TTL attribute, and its other
 * attributes have names no entity of the table uses.
 */
class IdempotencyStore extends DynamoDBPersistenceLayer {
  readonly #key: Record<string, AttributeValue>;
  constructor(key: Key) {
    super({
      tableName: config().tableName,
      awsSdkV3Client: dynamoClient,
      keyAttr: TABLE.partitionKey,
      sortKeyAttr: TABLE.sortKey,
      staticPkValue: key.pk,
      expiryAttr: TABLE.ttlAttribute,
      inProgressExpiryAttr: 'idempotency_in_progress_until_ms',
      statusAttr: 'idempotency_status',
      dataAttr: 'idempotency_response',
      validationKeyAttr: 'idempotency_request_hash',
    });
    this.#key = marshall(key);
  }
  protected override getKey(): Record<string, AttributeValue> {
    return this.#key;
  }
}

interface Answer {
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
}

/** A 5xx answer: given back, not kept (Powertools deletes the record of a run that throws), so a retry runs again. */
class NotKept extends Error {
  constructor(readonly answer: Answer) {
    super('answer not kept');
  }
}

/**
 * Runs `run` once per (caller, route, key) for 24 hours: `run` gives the request's answer (errors already turned into
 * answers), kept when 2xx or 4xx.
 */
export async function idempotent<A extends Answer>(
  request: { event: APIGatewayProxyEventV2; context?: Context; caller: string; key: string },
  run: () => Promise<A>,
): Promise<A> {
  const { event, context, caller, key } = request;
  const idempotencyConfig = new IdempotencyConfig({
    // The record's key is already the caller's, the route's and the Idempotency-Key; the payload's `key` only has to
    // be there. `request` is what a second request must match.
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'request',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
    hashFunction: 'sha256',
    // Called on a replay only: the first answer as kept, with the header that says so.
    responseHook: (response) => {
      const kept = response as unknown as Answer;
      const replayed = { ...kept, headers: { ...(kept.headers ?? {}), [REPLAYED_HEADER]: 'true' } };
      return replayed as unknown as typeof response;
    },
  });
  // The in-progress record expires with the invocation (Lambda's context); the local gateway passes none.
  idempotencyConfig.registerLambdaContext(
    (typeof context?.getRemainingTimeInMillis === 'function'
      ? context
      : { getRemainingTimeInMillis: () => IN_PROGRESS_MS }) as Context,
  );
  let ran: A | undefined;
  const once = makeIdempotent(
    async (_payload: { key: string; request: string }) => {
      ran = await run();
      if (ran.statusCode >= 500) throw new NotKept(ran);
      return ran;
    },
    {
      persistenceStore: new IdempotencyStore(keys.idempotency(caller, event.routeKey, key)),
      config: idempotencyConfig,
    },
  );
  try {
    return (await once({ key, request: requestHash(event) })) as A;
  } catch (e) {
    if (e instanceof NotKept) return e.answer as A;
    if (e instanceof IdempotencyValidationError) {
      throw new ApiError(
        'root.idempotency_key_reused',
        `This ${IDEMPOTENCY_HEADER} was sent before with another request (method, path or body): use a new key for a new request.`,
        [IDEMPOTENCY_HEADER],
      );
    }
    if (e instanceof IdempotencyAlreadyInProgressError || e instanceof IdempotencyInconsistentStateError) {
      throw new ApiError(
        'root.idempotency_key_in_progress',
        `A request with this ${IDEMPOTENCY_HEADER} is still being handled: retry after Retry-After seconds to get its answer.`,
        [IDEMPOTENCY_HEADER],
        { 'retry-after': '1' },
      );
    }
    if (e instanceof IdempotencyPersistenceLayerError) {
      // After the request ran, only keeping (or dropping) its answer failed: the answer is still the truth (a retry
      // within the in-progress time gets 409, later it runs again). Before, the store's own failure answers (429/503).
      if (ran) return ran;
      throw e.cause ?? e;
    }
    throw e;
  }
}
