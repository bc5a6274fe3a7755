/**
 * `npm run bench` (`-- --smoke` for a quick pass): per handler, the minified bundle size as the stack bundles it; per
 * operation, latency p50/p99 through the local gateway against DynamoDB Local and the DynamoDB round trips it makes.
 * Numbers, not pass/fail: the README keeps the last figures.
 */

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { ROUTES } from '../functions/routes.ts';
import { dynamo } from '../functions/shared/clients.ts';
import { WORKFLOW_TASKS } from '../functions/workflow/tasks.ts';
import { BUNDLE } from '../infra/bundling.ts';
import { signDevToken } from '../local/jwt.ts';
import { startLocalStack } from '../local/stack.ts';

const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false } } });
const N = values.smoke ? 5 : 100;
process.env.LOG_LEVEL = 'silent';

// 1. Bundles
const handlers = [
  ...new Set([...ROUTES.map((r) => r.handler), ...Object.values(WORKFLOW_TASKS), 'fallback/not-found']),
].sort();
const sizes: [string, number][] = [];
for (const h of values.smoke ? handlers.slice(0, 3) : handlers) {
  const out = await build({
    entryPoints: [resolve(import.meta.dirname, '../functions', `${h}.ts`)],
    ...BUNDLE,
    absWorkingDir: resolve(import.meta.dirname, '..'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
  });
  sizes.push([h, out.outputFiles[0]!.contents.byteLength]);
}
console.log('\n| handler | minified bundle |\n|---|---|');
for (const [h, b] of sizes) console.log(`| ${h} | ${(b / 1024).toFixed(0)} KB |`);

// 2. Operations
let roundTrips = 0;
dynamo.middlewareStack.add(
  (next) => async (args) => {
    roundTrips++;
    return next(args);
  },
  { step: 'initialize', name: 'countRoundTrips' },
);

const stack = await startLocalStack({
  tableName: `bench-${Date.now()}`,
  keyFile: '.local/bench-jwt-key.json',
});
const run = Date.now().toString(36);
const token = (email: string) => signDevToken(stack.keys, email);
async function call(method: string, path: string, email: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${await token(email)}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as any;
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

interface Sample {
  ms: number;
  trips: number;
}
async function measure(label: string, prepare: (i: number) => Promise<() => Promise<unknown>>) {
  const samples: Sample[] = [];
  for (let i = 0; i < N; i++) {
    const act = await prepare(i);
    const before = roundTrips;
    const t = performance.now();
    await act();
    samples.push({ ms: performance.now() - t, trips: roundTrips - before });
  }
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const pct = (p: number) => ms[Math.min(ms.length - 1, Math.floor((p / 100) * ms.length))]!.toFixed(1);
  const trips = Math.max(...samples.map((s) => s.trips));
  console.log(`| ${label} | ${pct(50)} ms | ${pct(99)} ms | ${trips} |`);
}

console.log(`\n| operation (n=${N}) | p50 | p99 | DynamoDB round trips |\n|---|---|---|---|`);
const admin = (i: number) => `admin-${run}-${i}@example.com`;
await measure(
  'create organization',
  async (i) => () => call('POST', '/api/v1/organizations', admin(i), { name: 'Bench' }),
);
const orgs: string[] = [];
for (let i = 0; i < N; i++)
  orgs.push((await call('GET', '/api/v1/organizations', admin(i))).organizations[0].id);
await measure(
  'invite 1 address',
  async (i) => () =>
    call('POST', `/api/v1/organizations/${orgs[i]}/invitations`, admin(i), {
      emails: [`one-${i}-${run}@example.com`],
    }),
);
await measure(
  'invite 25 addresses',
  async (i) => () =>
    call('POST', `/api/v1/organizations/${orgs[i]}/invitations`, admin(i), {
      emails: Array.from({ length: 25 }, (_, k) => `m${k}-${i}-${run}@example.com`),
    }),
);
await measure('accept', async (i) => {
  const invitee = `one-${i}-${run}@example.com`;
  const list = await call('GET', `/api/v1/organizations/${orgs[i]}/invitations`, admin(i));
  const t = list.invitations.find((x: { email: string }) => x.email === invitee).token;
  return () => call('POST', `/api/v1/organizations/invitations/${t}/_accept`, invitee);
});
await measure(
  'list members (first page)',
  async (i) => () => call('GET', `/api/v1/organizations/${orgs[i]}/members`, admin(i)),
);
await measure('add a role', async (i) => {
  const members = await call('GET', `/api/v1/organizations/${orgs[i]}/members`, admin(i));
  const target = members.members.find((m: { email: string }) => m.email !== admin(i)).user_id;
  return () =>
    call('POST', `/api/v1/users/${target}/role_assignments`, admin(i), {
      organization: [{ role_id: 'billing-admin', organization_id: orgs[i] }],
    });
});
await measure('remove a member', async (i) => {
  const members = await call('GET', `/api/v1/organizations/${orgs[i]}/members`, admin(i));
  const target = members.members.find((m: { email: string }) => m.email !== admin(i)).user_id;
  return () => call('DELETE', `/api/v1/organizations/${orgs[i]}/members/${target}`, admin(i));
});
await stack.stop();
console.log(`\n${N} requests per operation against DynamoDB Local on this machine.`);
process.exit(0);
