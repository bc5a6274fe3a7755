/**
 * A local stand-in for API Gateway HTTP API: matches the routes from `functions/routes.ts`, verifies bearer JWTs like
 * the JWT authorizer (and `ApiKey` keys as the Lambda authorizer option does), builds payload-2.0 events and calls the
 * same handler modules Lambda runs.
 */

import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { ROUTES, type RouteDef } from '../functions/routes.ts';
import { verifyApiKey } from '../functions/shared/api-key.ts';
import { defaultDeps } from '../functions/shared/deps.ts';
import { errorBody } from '../functions/shared/http.ts';
import type { JwtAuthorizer } from './authorizer.ts';
import { type ConsoleSettings, consoleSite } from './console.ts';
import { loadHandler } from './handlers.ts';

/** API Gateway's own payload limit. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

type LambdaHandler = (event: unknown, context?: unknown) => Promise<APIGatewayProxyResultV2>;

interface CompiledRoute {
  route: RouteDef;
  regex: RegExp;
  names: string[];
}

const compile = (route: RouteDef): CompiledRoute => {
  const names: string[] = [];
  const source = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, regex: new RegExp(`^${source}$`), names };
};

function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Past the limit, keep draining without keeping, so the client gets its 413 instead of a reset connection.
      if (size <= GATEWAY_MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolveBody(size > GATEWAY_MAX_BODY ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * The body as an HTTP API hands it to Lambda (payload 2.0; the stack's API sets no binary media types, HTTP APIs have
 * none): a string for the types it takes for text, base64 with `isBase64Encoded` for everything else, a missing type
 * included. AWS documents only "binary is base64-encoded"; the list is what ministack reports a live HTTP API doing
 * (ministackorg/ministack#766). What AWS does with bytes that are not UTF-8 under a text type is not documented: here they go base64
 * too, so the handler sees the bytes the client sent instead of U+FFFD put there by this process.
 */
function eventBody(body: Buffer, contentType: string | undefined) {
  if (!body.length) return { isBase64Encoded: false };
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const text = type.startsWith('text/') || TEXT_TYPES.has(type);
  return text && isUtf8(body)
    ? { body: body.toString('utf8'), isBase64Encoded: false }
    : { body: body.toString('base64'), isBase64Encoded: true };
}
const TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/javascript']);

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

const sendError = (res: ServerResponse, status: number, code: string, message: string) =>
  send(res, status, { 'content-type': 'application/json' }, JSON.stringify(errorBody(code, message)));

export interface GatewayOptions {
  port: number;
  /** Verifies bearer tokens as the stack's JWT authorizer does (`local/authorizer.ts`). */
  authorize: JwtAuthorizer;
  host?: string;
  /** Serve the web console under /console/ (same origin as the API), with these sign-in settings. */
  console?: () => ConsoleSettings;
}

export interface RunningGateway {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

export async function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  // Like API Gateway, a literal segment wins over a {parameter} in the same position.
  const specificity = (r: RouteDef) =>
    r.path
      .split('/')
      .map((seg) => (seg.startsWith('{') ? '1' : '0'))
      .join('');
  const compiled = [...(ROUTES as readonly RouteDef[])]
    .sort((a, b) => specificity(a).localeCompare(specificity(b)))
    .map(compile);
  // The route still matches a segment whose percent-encoding is not UTF-8 (%ED%A0%80); the handler gets it as sent.
  const decodeSegment = (raw: string) => {
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  };
  const serveConsole = opts.console ? consoleSite(opts.console) : undefined;
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const method = (req.method ?? 'GET').toUpperCase();
      // Static files, as CloudFront serves them from S3 in AWS; everything else is the API.
      if (serveConsole && (url.pathname === '/console' || url.pathname.startsWith('/console/')))
        return await serveConsole(url.pathname, method, res);
      const body = await readBody(req);
      if (body === 'too-large')
        return sendError(res, 413, 'root.payload_too_large', 'The request body is too large.');

      let match: { c: CompiledRoute; params: Record<string, string> } | undefined;
      for (const c of compiled) {
        if (c.route.method !== method) continue;
        const m = c.regex.exec(url.pathname);
        if (!m) continue;
        const params: Record<string, string> = {};
        c.names.forEach((n, i) => {
          params[n] = decodeSegment(m[i + 1] ?? '');
        });
        match = { c, params };
        break;
      }

      let claims: Record<string, string> | undefined;
      let keyClaims: Record<string, string> | undefined;
      if (match?.c.route.auth) {
        const auth = req.headers.authorization ?? '';
        const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
        if (token) claims = await opts.authorize(token).catch(() => undefined);
        // `ApiKey <key>`: checked as the AWS Lambda authorizer checks it (`shared/api-key.ts`), never cached here.
        else if (/^ApiKey\s/i.test(auth)) keyClaims = await verifyApiKey(defaultDeps(), auth);
        if (!claims && !keyClaims) {
          // API Gateway's authorizer refuses before the handler runs.
          return sendError(
            res,
            401,
            'root.unauthorized',
            'Sign in first: send a valid bearer token or API key in the Authorization header.',
          );
        }
      }

      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      }
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
      const now = new Date();
      const routeKey = match ? `${match.c.route.method} ${match.c.route.path}` : '$default';
      const event = {
        version: '2.0',
        routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
        ...(match && Object.keys(match.params).length ? { pathParameters: match.params } : {}),
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: headers.host ?? 'localhost',
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey,
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
          ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
          // A Lambda authorizer's context arrives as `authorizer.lambda` (payload 2.0).
          ...(keyClaims ? { authorizer: { lambda: keyClaims } } : {}),
        },
        ...eventBody(body, headers['content-type']),
      };
      const handlerName = match ? match.c.route.handler : 'api/handlers/not-found';
      const handler = await loadHandler<LambdaHandler>(handlerName);
      const started = performance.now();
      // The function's name on its log lines, as Lambda's context gives it (locally: the handler's module).
      const result = await handler(event, {
        functionName: handlerName,
        awsRequestId: event.requestContext.requestId,
      });
      // Like Lambda's REPORT line: the handler's own time, without the gateway and the JWT check.
      const timing = { 'server-timing': `handler;dur=${(performance.now() - started).toFixed(2)}` };
      if (
        typeof result === 'string' ||
        result === null ||
        typeof result !== 'object' ||
        !('statusCode' in result)
      ) {
        return send(res, 200, { 'content-type': 'application/json', ...timing }, JSON.stringify(result));
      }
      const outHeaders: Record<string, string> = { ...timing };
      for (const [k, v] of Object.entries(result.headers ?? {})) outHeaders[k] = String(v);
      send(res, result.statusCode ?? 200, outHeaders, result.body ?? '');
    } catch (e) {
      // A handler that throws is a Lambda error: API Gateway answers 500 Internal Server Error.
      console.error(
        JSON.stringify({ level: 'error', message: 'handler crashed', error: (e as Error)?.message }),
      );
      if (!res.headersSent) sendError(res, 500, 'root.internal_error', 'Internal Server Error');
    }
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, host, () => ok());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    server,
    stop: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
