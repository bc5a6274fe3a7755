/**
 * Per Lambda bundle: the minified size as the stack bundles it, and cold module initialisation: a fresh Node process
 * imports the bundle and runs one handler call against DynamoDB Local (median of several runs).
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { WORKFLOW_TASKS } from '../functions/migrations/tasks.ts';
import { OUTBOX_MAPPING } from '../functions/outbox/mapping.ts';
import { ROUTES, type RouteDef } from '../functions/routes.ts';
import { BUNDLE } from '../infra/bundling.ts';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = resolve(ROOT, '.local/bench-bundles');
const run = promisify(execFile);

export const HANDLERS = [
  ...new Set([
    ...ROUTES.map((r) => r.handler),
    ...Object.values(WORKFLOW_TASKS),
    OUTBOX_MAPPING.handler,
    'api/handlers/not-found',
  ]),
].sort();

export interface BundleFigures {
  handler: string;
  bytes: number;
  /** Importing the bundle: module initialisation. */
  importMs: number;
  /** The first handler call (first connection, first use of every code path). */
  firstMs: number;
  /** A second call in the same process, for comparison. */
  warmMs: number;
}

/** Bundle `handler` exactly as infra/constructs/functions.ts does; returns the file and its size. */
async function bundle(handler: string): Promise<{ file: string; bytes: number }> {
  const file = resolve(OUT, `${handler.replace('/', '__')}.mjs`);
  const out = await build({
    ...BUNDLE,
    banner: { js: BUNDLE.banner },
    absWorkingDir: ROOT,
    entryPoints: [resolve(ROOT, 'functions', `${handler}.ts`)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  });
  return { file, bytes: Object.values(out.metafile.outputs)[0]!.bytes };
}

/** A body each write route accepts, so the cold call goes past validation to DynamoDB. */
const BODIES: Record<string, (n: number) => unknown> = {
  'organizations/handlers/create': () => ({ name: 'Cold start' }),
  'organizations/handlers/update': () => ({ name: 'Warm start' }),
  'invitations/handlers/create': (n) => ({ emails: [`cold-invitee-${n}@example.com`] }),
  'resources/handlers/create-deployment': () => ({ name: 'search' }),
  'resources/handlers/create-project': () => ({ name: 'observe', type: 'observability' }),
  'bills/handlers/create': () => ({ amount_cents: 100, description: 'Cold start' }),
  'snapshots/handlers/create-repository': () => ({ name: 'backups' }),
  'members/handlers/add-roles': () => ({
    organization: [{ role_id: 'billing-admin', organization_id: 'cold-org' }],
  }),
  'members/handlers/remove-roles': () => ({
    organization: [{ role_id: 'billing-admin', organization_id: 'cold-org' }],
  }),
  'migrations/handlers/start': () => ({ target_organization_id: 'cold-org', repository_id: 'cold-repo' }),
};

/** An event the handler does real work on: a signed-in caller for routes, a migration id for workflow tasks. */
function eventFor(handler: string, n: number): unknown {
  if (handler === OUTBOX_MAPPING.handler) return { Records: [] };
  const route = (ROUTES as readonly RouteDef[]).find((r) => r.handler === handler);
  if (!route) return { migration_id: `cold-migration-${n}`, task_token: 'cold' };
  // Ids and tokens of the right shape, so lookups reach DynamoDB (and find nothing).
  const pathParameters = Object.fromEntries(
    [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => [
      m[1]!,
      m[1]!.includes('token')
        ? `cold${n}`.padEnd(43, 'x')
        : m[1] === 'organization_id'
          ? 'cold-org'
          : `cold-${n}`,
    ]),
  );
  const user = `cold-${handler.replace(/\W/g, '-')}-${n}`;
  const body = BODIES[handler]?.(n);
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: route.path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters,
    requestContext: {
      http: { method: route.method, path: route.path, sourceIp: '127.0.0.1' },
      requestId: `cold-${n}`,
      authorizer: {
        jwt: {
          claims: {
            sub: user,
            email: `${user}@example.com`,
            email_verified: 'true',
            'cognito:groups': '[operators]',
          },
        },
      },
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

// The child: time the import (module initialisation), one call (first connection included), then a warm call.
const CHILD = `
const call = async (m, event) => {
  const t = performance.now();
  try { await m.handler(JSON.parse(event), { awsRequestId: 'cold' }); } catch {}
  return performance.now() - t;
};
const t0 = performance.now();
const m = await import(process.argv[1]);
const importMs = performance.now() - t0;
const firstMs = await call(m, process.argv[2]);
const warmMs = await call(m, process.argv[3]);
process.stdout.write(JSON.stringify({ importMs, firstMs, warmMs }));
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function measureBundles(handlers: string[], runs: number): Promise<BundleFigures[]> {
  mkdirSync(OUT, { recursive: true });
  const figures: BundleFigures[] = [];
  for (const handler of handlers) {
    const { file, bytes } = await bundle(handler);
    const samples: Omit<BundleFigures, 'handler' | 'bytes'>[] = [];
    for (let n = 0; n < runs; n++) {
      const { stdout } = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          CHILD,
          pathToFileURL(file).href,
          JSON.stringify(eventFor(handler, 2 * n)),
          JSON.stringify(eventFor(handler, 2 * n + 1)),
        ],
        { env: { ...process.env, LOG_LEVEL: 'silent', NODE_NO_WARNINGS: '1' } },
      );
      samples.push(JSON.parse(stdout));
    }
    figures.push({
      handler,
      bytes,
      importMs: median(samples.map((s) => s.importMs)),
      firstMs: median(samples.map((s) => s.firstMs)),
      warmMs: median(samples.map((s) => s.warmMs)),
    });
  }
  return figures;
}
