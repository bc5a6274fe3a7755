/**
 * The handlers' HTTP edge: who the caller is (JWT claims or an API key), requests and their bodies, answers and errors,
 * idempotent POSTs, and the wrappers every handler is built with. Longer than 300 lines on purpose: one place for
 * everything a request meets before and after its handler.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { confirmApiKey } from './api-key.ts';
import { defaultDeps } from './deps.ts';
import { canonicalEmail } from './email.ts';
import { ApiError, isApiError } from './errors.ts';
import { idempotencyKeyOf, idempotent, takesIdempotencyKey } from './idempotency.ts';
import { inInvocation, log, redactPath } from './log.ts';
import { flushMetrics } from './metrics.ts';
import { readJsonBody } from './request-body.ts';
import type { RoleAssignments } from './roles.ts';
import type * as z from './schema.ts';

export { MAX_BODY_BYTES } from './request-body.ts';

export interface Caller {
  userId: string;
  email: string;
  emailVerified: boolean;
  name?: string;
  /** Identity-provider groups (`cognito:groups`); `operators` may do operator-only things such as raising bills. */
  groups?: string[];
  /** The organization whose IdP signed this person in (the SSO bridge's `sso_org` claim); absent for other sign-ins. */
  ssoOrg?: string;
  /** Set when the request came with `Authorization: ApiKey …`: the key, its organization, and its roles (an upper bound). */
  apiKey?: { id: string; organizationId: string; roles: RoleAssignments };
}

/** API Gateway passes array claims as "[a b c]"; a raw JWT may carry a real array. */
function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value === '') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

export const isOperator = (caller: Caller): boolean => caller.groups?.includes('operators') ?? false;

/** The event as API Gateway's JWT authorizer passes it (payload 2.0). */
export type HttpEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: {
      jwt?: { claims?: Record<string, string | number | boolean | string[]> };
      /** A Lambda authorizer's context (AWS) or the local gateway's for API keys: the same claims, as strings. */
      lambda?: Record<string, string | number | boolean>;
    };
  };
};

export type HttpResponse = { statusCode: number; headers?: Record<string, string>; body: string };

export interface Request {
  event: HttpEvent;
  /** Path parameter checked against a pattern; a mismatch is a 404 of the given code. */
  path(name: string, pattern?: RegExp, notFound?: ApiError): string;
  query(name: string): string | undefined;
  /** Parsed JSON body validated by a zod schema; problems become 400 root.invalid_data naming the field. */
  body<T extends z.ZodMiniType>(schema: T): z.infer<T>;
}
export interface AuthedRequest extends Request {
  caller: Caller;
}

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(body),
});

export const errorBody = (code: string, message: string, fields?: string[]) => ({
  errors: [fields?.length ? { code, message, fields } : { code, message }],
});

export const errorResponse = (e: ApiError): HttpResponse =>
  json(e.status, errorBody(e.code, e.message, e.fields), e.headers ?? {});

export const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Caller identity from the JWT authorizer's claims, or undefined when there is none. The email claim follows the same
 * rule as invited addresses (`shared/email.ts`): a look-alike of an ASCII address is refused, never folded into it.
 */
export function callerFrom(event: HttpEvent): Caller | undefined {
  const authorizer = event.requestContext?.authorizer;
  const claims = authorizer?.jwt?.claims ?? authorizer?.lambda;
  const sub = claims?.sub;
  const email = claims?.email;
  if (typeof sub !== 'string' || sub === '' || typeof email !== 'string' || email === '') return undefined;
  const canonical = canonicalEmail(email);
  if (!canonical) {
    throw new ApiError(
      'root.invalid_authentication',
      'The email address you signed in with is not one this service accepts (plain ASCII, at most 254 characters, such as name@example.com). Sign in with another address.',
    );
  }
  const verified = claims?.email_verified;
  const name = claims?.name;
  const groups = parseGroups(claims?.['cognito:groups']);
  // A sign-in through the SSO bridge (federated by Cognito or the local provider): the person is the user the bridge
  // decided (`sso_sub`, its own `sub`), whatever id the federating provider gave them. Only the issuer sets these.
  const ssoOrg = claims?.sso_org;
  const ssoSub = claims?.sso_sub;
  const sso = typeof ssoOrg === 'string' && ssoOrg !== '' && typeof ssoSub === 'string' && ssoSub !== '';
  const apiKey = apiKeyOf(claims);
  // A JWT whose check a Lambda authorizer's cache remembered (up to 300 s) is still refused past its `exp`.
  const exp = Number(claims?.exp);
  if (authorizer?.lambda && !apiKey && !(exp * 1000 > Date.now())) return undefined;
  return {
    userId: sso ? ssoSub : sub,
    ...(apiKey ? { apiKey } : {}),
    ...(sso ? { ssoOrg } : {}),
    email: canonical,
    emailVerified: verified === true || verified === 'true',
    ...(typeof name === 'string' && name ? { name: name.slice(0, 200) } : {}),
    // A key acts in its organization with its roles; never as an operator.
    ...(groups.length && !apiKey ? { groups } : {}),
  };
}

function apiKeyOf(claims: Record<string, unknown> | undefined): Caller['apiKey'] {
  const id = claims?.api_key_id;
  if (typeof id !== 'string' || id === '') return undefined;
  const organizationId = claims?.api_key_org;
  const roles = claims?.api_key_roles;
  if (typeof organizationId !== 'string' || typeof roles !== 'string') {
    throw new ApiError('root.unauthorized', 'This API key is not valid.');
  }
  return { id, organizationId, roles: JSON.parse(roles) as RoleAssignments };
}

function makeRequest(event: HttpEvent): Request {
  let parsed: { value: unknown } | undefined;
  return {
    event,
    path(name, pattern = ID_PATTERN, notFound) {
      const value = event.pathParameters?.[name];
      if (value === undefined || !pattern.test(value)) {
        throw (
          notFound ?? new ApiError('root.invalid_data', `The path parameter ${name} is not valid.`, [name])
        );
      }
      return value;
    },
    query(name) {
      return event.queryStringParameters?.[name];
    },
    body(schema) {
      parsed ??= { value: readJsonBody(event) };
      // No body at all reads as {}; a body of JSON `null` is a value like any other, and the schema refuses it.
      const result = schema.safeParse(parsed.value === undefined ? {} : parsed.value);
      if (!result.success) {
        const issue = result.error.issues[0];
        const field = issue?.path.length ? issue.path.join('.') : 'body';
        throw new ApiError(
          'root.invalid_data',
          `Invalid request body at ${field}: ${issue?.message ?? 'bad value'}.`,
          [field],
        );
      }
      return result.data;
    },
  };
}

const RETRYABLE_THROTTLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
]);

/** AWS and runtime failures the caller did not cause: retryable 429/503, never a stack trace. */
export function toApiError(e: unknown): ApiError {
  if (isApiError(e)) return e;
  const name = (e as { name?: string })?.name ?? '';
  if (RETRYABLE_THROTTLE.has(name)) {
    return new ApiError('root.throttled', 'The service is busy. Retry the request in a moment.', undefined, {
      'retry-after': '1',
    });
  }
  const status = (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const transient =
    name === 'TransactionConflictException' ||
    name === 'TransactionCanceledException' ||
    name === 'TransactionInProgressException' ||
    name === 'InternalServerError' ||
    name === 'ServiceUnavailable' ||
    name === 'TimeoutError' ||
    name === 'RequestTimeout' ||
    name === 'AbortError' ||
    (typeof status === 'number' && status >= 500) ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket hang up/i.test(String((e as Error)?.message ?? ''));
  if (transient) {
    return new ApiError(
      'root.service_unavailable',
      'A dependency is temporarily unavailable. Retry the request.',
      undefined,
      {
        'retry-after': '1',
      },
    );
  }
  return new ApiError(
    'root.internal_error',
    'Something went wrong on our side. Retry later or contact support.',
  );
}

/** Lambda passes a context; the local gateway and tests may not. */
type Handler = (event: HttpEvent, context?: Context) => Promise<APIGatewayProxyResultV2>;

/** An error as the API's answer; what the caller did not cause (5xx) is logged. */
function failure(event: HttpEvent, e: unknown): HttpResponse {
  const err = toApiError(e);
  if (err.status >= 500) {
    log('error', 'request failed', {
      route: event.routeKey,
      path: redactPath(event.rawPath ?? ''),
      error: (e as Error)?.name,
      detail: (e as Error)?.message?.slice(0, 500),
    });
  }
  return errorResponse(err);
}

/**
 * The answer of a request to a caller (a user id, `anonymous` on public routes): with an `Idempotency-Key` on a POST
 * route, at most one run per caller, route and key for 24 hours (`idempotency.ts`), its errors kept as answers too.
 */
async function answer(
  event: HttpEvent,
  context: Context | undefined,
  caller: string,
  run: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const key = takesIdempotencyKey(event.routeKey) ? idempotencyKeyOf(event.headers) : undefined;
  if (key === undefined) return run();
  return idempotent({ event, context, caller, key }, () => run().catch((e) => failure(event, e)));
}

function wrap(fn: (event: HttpEvent, context?: Context) => Promise<HttpResponse>): Handler {
  return (event, context) =>
    inInvocation(context, async () => {
      const started = Date.now();
      const response = await fn(event, context).catch((e) => failure(event, e));
      log('info', 'request', {
        route: event.routeKey,
        path: redactPath(event.rawPath ?? ''),
        status: response.statusCode,
        ms: Date.now() - started,
        requestId: event.requestContext?.requestId,
      });
      flushMetrics();
      return response;
    });
}

/** A route anyone may call (the public invitation page and lookup, health). */
export const publicRoute = (fn: (req: Request) => Promise<HttpResponse>): Handler =>
  wrap((event, context) => answer(event, context, 'anonymous', () => fn(makeRequest(event))));

/** One function serving several public routes, each picked by its route key, as `authedRoutes` does for signed-in ones. */
export const publicRoutes = (routes: Record<string, (req: Request) => Promise<HttpResponse>>): Handler =>
  publicRoute(async (req) => {
    const fn = routes[req.event.routeKey];
    if (!fn) throw new ApiError('root.not_found', `No route ${req.event.routeKey} in this function.`);
    return fn(req);
  });

/** A route that needs a signed-in caller: 401 root.unauthorized without valid JWT claims. */
export const authedRoute = (fn: (req: AuthedRequest) => Promise<HttpResponse>): Handler =>
  wrap(async (event, context) => {
    const caller = callerFrom(event);
    if (!caller) {
      throw new ApiError(
        'root.unauthorized',
        'Sign in first: send a valid bearer token in the Authorization header.',
      );
    }
    // An authorizer may have cached its yes: whether the key is still usable is read now, so revoking is immediate.
    if (caller.apiKey) await confirmApiKey(defaultDeps(), caller.apiKey.id);
    return answer(event, context, caller.userId, () => fn({ ...makeRequest(event), caller }));
  });

/**
 * A route only a signed-in person may call, never an API key (403): what acts on the person rather than in their
 * organization, such as moving them to another organization.
 */
export const personRoute = (fn: (req: AuthedRequest) => Promise<HttpResponse>): Handler =>
  authedRoute(async (req) => {
    if (req.caller.apiKey) {
      throw new ApiError(
        'root.invalid_authentication',
        'An API key cannot do this: sign in and send a bearer token.',
      );
    }
    return fn(req);
  });

/**
 * One function serving several routes of a concern, each picked by its route key (`PUT /api/v1/…/{id}`, as in
 * `routes.ts`). Every function costs the stack five resources of CloudFormation's 500; an API's route still costs three.
 */
export const authedRoutes = (
  routes: Record<string, (req: AuthedRequest) => Promise<HttpResponse>>,
): Handler =>
  authedRoute(async (req) => {
    const fn = routes[req.event.routeKey];
    if (!fn) throw new ApiError('root.not_found', `No route ${req.event.routeKey} in this function.`);
    return fn(req);
  });
