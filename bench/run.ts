/**
 * `npm run bench` (`-- --smoke` for the quick pass CI runs). Prints Markdown tables; the README keeps the last figures.
 *
 * 1. Per API operation, through the local gateway against DynamoDB Local: DynamoDB round trips and consumed capacity,
 *    handler time p50/p99 (the gateway's Server-Timing, like Lambda's duration) and the floor: the same AWS requests
 *    replayed bare through the SDK in the same run, with the ratio of the two p50s.
 * 2. The migration: state transitions, Lambda invocations and end-to-end time for 0, 1, 10 and 50 deployments.
 * 3. Per Lambda bundle: minified size as the stack bundles it, cold module initialisation (fresh Node process).
 */

import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { joinItems } from '../functions/organizations/membership.ts';
import { dynamo } from '../functions/shared/clients.ts';
import { config } from '../functions/shared/config.ts';
import { defaultDeps, newToken } from '../functions/shared/deps.ts';
import { ENTITY, keys } from '../functions/shared/table.ts';
import { executionArnOf } from '../local/arns.ts';
import { parseCommand } from '../local/cli.ts';
import { localUserId, requestDevToken } from '../local/jwt.ts';
import { readMailbox } from '../local/ses.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import { stateMachineArnFor } from '../local/stepfunctions.ts';
import { HANDLERS, measureBundles } from './bundles.ts';
import { type Call, instrumentClients, record, replay, writeUnits } from './record.ts';

const { values } = parseCommand({
  name: 'npm run bench --',
  usage: `[--smoke]

Starts its own local stack (free ports, its own table) and prints four Markdown tables: each API operation
against its floor (the same AWS requests made bare), answers that must look alike, the migration's cost, and
bundle sizes with cold init. About 3 minutes; the README keeps the last figures.

Options:
  --smoke     5 samples instead of 100 and the small cases only: checks the benchmark still works (CI runs it)
  -h, --help  this text`,
  options: { smoke: { type: 'boolean', default: false } },
});
const smoke = values.smoke;
const N = smoke ? 5 : 100;
process.env.LOG_LEVEL = 'silent';
const started = performance.now();

const stack: LocalStack = await startLocalStack({
  tableName: `bench-${Date.now()}`,
  keyFile: '.local/bench-jwt-key.json',
});
instrumentClients();
const run = Date.now().toString(36);

// Requests through the gateway, as a client would send them.
interface Reply {
  status: number;
  body: any;
  handlerMs: number;
}
// One token per person from the local provider, asked once: the bench measures the handlers, not sign-in.
const tokens = new Map<string, Promise<string>>();
const accessTokenFor = (email: string): Promise<string> => {
  let t = tokens.get(email);
  if (!t) {
    t = requestDevToken(stack.issuer, email);
    tokens.set(email, t);
  }
  return t;
};
async function call(
  method: string,
  path: string,
  email: string,
  body?: unknown,
  expected?: number,
): Promise<Reply> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await accessTokenFor(email)}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as any;
  if (expected === undefined ? res.status >= 300 : res.status !== expected)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  const handlerMs = Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1]);
  return { status: res.status, body: json, handlerMs };
}

// ---------------------------------------------------------------------------------------------------------------
// 0. The outbox: invite answers once committed; the emails leave at the configured rate, none lost.
{
  const rate = config().emailSendRatePerSecond;
  console.log(
    `\n| invite (outbox at ${rate} emails/s) | request (handler) | emails delivered | lost | answer to last email | emails per second |\n|---|---|---|---|---|---|`,
  );
  for (const size of smoke ? [1, 25] : [1, 25, 100]) {
    const owner = `outbox-${size}-${run}@example.com`;
    const org = (await call('POST', '/api/v1/organizations', owner, { name: 'Outbox' })).body.id as string;
    const emails = Array.from({ length: size }, (_, k) => `ob${size}-${k}-${run}@example.com`);
    await stack.outbox.idle();
    const reply = await call('POST', `/api/v1/organizations/${org}/invitations`, owner, { emails });
    const answered = Date.now();
    // Watch the mailbox: when the first and the last email arrived (local SES stamps whole seconds only).
    const wanted = new Set(emails);
    let got: Awaited<ReturnType<typeof readMailbox>> = [];
    let first = 0;
    let last = 0;
    for (let seen = 0; ; ) {
      got = (await readMailbox(stack.sesEndpoint)).filter((m) => wanted.has(m.destination.to[0] ?? ''));
      if (got.length > seen) {
        seen = got.length;
        first ||= Date.now();
        last = Date.now();
      }
      if (seen >= size || Date.now() - answered > 600_000) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    await stack.outbox.idle(600_000);
    got = (await readMailbox(stack.sesEndpoint)).filter((m) => wanted.has(m.destination.to[0] ?? ''));
    const delivered = new Set(got.map((m) => m.destination.to[0])).size;
    const span = (last - first) / 1000;
    // n emails from the first to the last: n - 1 intervals.
    const perSecond = size > 1 && span > 0 ? ((size - 1) / span).toFixed(1) : '–';
    console.log(
      `| ${size} | ${reply.handlerMs.toFixed(1)} ms | ${got.length} | ${size - delivered} | ${((last - answered) / 1000).toFixed(2)} s | ${perSecond} |`,
    );
    if (got.length !== size || delivered !== size)
      throw new Error(`outbox: ${size} invited, ${got.length} emails`);
  }
  // The operations below measure request paths: no emails going out behind them.
  stack.outbox.pause();
}

// ---------------------------------------------------------------------------------------------------------------
// 1. Operations

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const scans: string[] = [];

const dynamoOnly = (calls: Call[]) => calls.filter((c) => c.client === 'dynamodb');

/** `prepare(i)` sets the scene outside the measurement and returns the request to measure. */
async function measure(label: string, n: number, prepare: (i: number) => Promise<() => Promise<Reply>>) {
  const handler: number[] = [];
  const floor: number[] = [];
  let trips = 0;
  let reads = 0;
  let writes = 0;
  for (let i = 0; i < n; i++) {
    const act = await prepare(i);
    const { result, calls, capacity } = await record(act);
    const dynamoCalls = dynamoOnly(calls);
    if (dynamoCalls.some((c) => c.command.constructor.name.startsWith('Scan'))) scans.push(label);
    trips = Math.max(trips, dynamoCalls.length);
    reads = Math.max(reads, capacity);
    writes = Math.max(writes, writeUnits(dynamoCalls));
    handler.push(result.handlerMs);
    floor.push(await replay(calls));
  }
  const ratio = pct(handler, 50) / pct(floor, 50);
  console.log(
    `| ${label} | ${trips} | ${reads} | ${writes} | ${ms(pct(handler, 50))} | ${ms(pct(handler, 99))} | ${ms(pct(floor, 50))} | ${ms(pct(floor, 99))} | ${ratio.toFixed(2)} |`,
  );
}

console.log(
  `\n| operation (n=${N}) | DynamoDB round trips | read units | write units | handler p50 | handler p99 | floor p50 | floor p99 | p50 ratio |\n|---|---|---|---|---|---|---|---|---|`,
);
const admin = (i: number) => `admin-${run}-${i}@example.com`;
const one = (i: number) => `one-${i}-${run}@example.com`;
const many = (i: number, k: number, n: number) => `m${n}-${k}-${i}-${run}@example.com`;
const orgOf: string[] = [];
const tokenFor = async (i: number, email: string) =>
  (await call('GET', `/api/v1/organizations/${orgOf[i]}/invitations`, admin(i))).body.invitations.find(
    (x: { email: string }) => x.email === email,
  ).token as string;

await measure('create organization', N, async (i) => async () => {
  const r = await call('POST', '/api/v1/organizations', admin(i), { name: 'Bench' });
  orgOf[i] = r.body.id;
  return r;
});
await measure(
  'invite 1 address',
  N,
  async (i) => () =>
    call('POST', `/api/v1/organizations/${orgOf[i]}/invitations`, admin(i), { emails: [one(i)] }),
);
for (const size of [25, 100]) {
  await measure(
    `invite ${size} addresses`,
    N,
    async (i) => () =>
      call('POST', `/api/v1/organizations/${orgOf[i]}/invitations`, admin(i), {
        emails: Array.from({ length: size }, (_, k) => many(i, k, size)),
      }),
  );
}
await measure('accept', N, async (i) => {
  const token = await tokenFor(i, one(i));
  return () => call('POST', `/api/v1/organizations/invitations/${token}/_accept`, one(i));
});
await measure(
  'list members (first page)',
  N,
  async (i) => () => call('GET', `/api/v1/organizations/${orgOf[i]}/members`, admin(i)),
);
await measure(
  'add a role',
  N,
  async (i) => () =>
    call('POST', `/api/v1/users/${localUserId(one(i))}/role_assignments`, admin(i), {
      organization: [{ role_id: 'billing-admin', organization_id: orgOf[i] }],
    }),
);
await measure(
  'remove a member',
  N,
  async (i) => () =>
    call('DELETE', `/api/v1/organizations/${orgOf[i]}/members/${localUserId(one(i))}`, admin(i)),
);
await measure('leave', N, async (i) => {
  const leaver = many(i, 0, 25);
  const token = await tokenFor(i, leaver);
  await call('POST', `/api/v1/organizations/invitations/${token}/_accept`, leaver);
  return () => call('DELETE', `/api/v1/organizations/${orgOf[i]}/members/${localUserId(leaver)}`, leaver);
});

// A large organization, written directly (the same items accepting an invitation writes), then paged.
const bigAdmin = `big-${run}@example.com`;
const bigOrg = (await call('POST', '/api/v1/organizations', bigAdmin, { name: 'Big' })).body.id as string;
const BIG = smoke ? 300 : 10_000;
{
  const deps = defaultDeps();
  const now = new Date().toISOString();
  const puts: Record<string, unknown>[] = [];
  for (let k = 0; k < BIG - 1; k++) {
    const email = `member-${k}-${run}@example.com`;
    const userId = localUserId(email);
    const [, membership, marker] = joinItems(deps, { userId, email, emailVerified: true }, bigOrg, {}, now);
    puts.push(
      {
        ...keys.user(userId),
        entity: ENTITY.user,
        user_id: userId,
        email,
        created_at: now,
        organization_id: bigOrg,
      },
      membership!.Put!.Item,
      marker!.Put!.Item,
    );
  }
  const writes: Promise<unknown>[] = [];
  for (let k = 0; k < puts.length; k += 25) {
    const batch = puts.slice(k, k + 25).map((Item) => ({ PutRequest: { Item } }));
    writes.push(
      (async () => {
        let items: any = { [stack.tableName]: batch };
        while (items && Object.keys(items).length) {
          items = (await dynamo.send(new BatchWriteCommand({ RequestItems: items }))).UnprocessedItems;
        }
      })(),
    );
    if (writes.length >= 8) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
}
let middle: string | undefined;
for (let page = 0, next: string | undefined; page < BIG / 100 / 2; page++) {
  next = (
    await call(
      'GET',
      `/api/v1/organizations/${bigOrg}/members${next ? `?next=${encodeURIComponent(next)}` : ''}`,
      bigAdmin,
    )
  ).body.next;
  middle = next;
}
await measure(
  `list members of ${BIG} (first page)`,
  N,
  async () => () => call('GET', `/api/v1/organizations/${bigOrg}/members`, bigAdmin),
);
await measure(
  `list members of ${BIG} (middle page)`,
  N,
  async () => () =>
    call('GET', `/api/v1/organizations/${bigOrg}/members?next=${encodeURIComponent(middle!)}`, bigAdmin),
);

// Starting a migration; each run waits for the previous workflow to go idle, so its calls are not counted here.
const sfnClient = new SFNClient({ endpoint: stack.sfnEndpoint });
async function until(user: string, id: string, done: (m: any) => boolean) {
  for (let t = 0; t < 600; t++) {
    const m = (await call('GET', `/api/v1/migrations/${id}`, user)).body;
    if (done(m)) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`migration ${id} stalled`);
}
const waiting = (m: any) =>
  m.status !== 'running' ||
  m.history.some((h: any) => h.step === 'Re-invite to target organization' && h.status === 'succeeded');
let previous: { user: string; id: string } | undefined;
await measure('start migration', N, async (i) => {
  if (previous) await until(previous.user, previous.id, waiting);
  const mover = `mover-${i}-${run}@example.com`;
  await call('POST', '/api/v1/organizations', mover, { name: 'Source' });
  await call('POST', `/api/v1/organizations/${orgOf[i]}/invitations`, admin(i), { emails: [mover] });
  const repo = (await call('POST', '/api/v1/users/me/snapshot-repositories', mover, { name: 'b' })).body.id;
  return async () => {
    const r = await call('POST', '/api/v1/migrations', mover, {
      target_organization_id: orgOf[i],
      repository_id: repo,
    });
    previous = { user: mover, id: r.body.id };
    return r;
  };
});
if (previous) await until(previous.user, previous.id, waiting);
console.log(
  `\nScan on a request path: ${scans.length ? scans.join(', ') : 'none'}. Units: the most one request used; reads as DynamoDB reports them (ReturnConsumedCapacity INDEXES), writes counted from the requests as AWS bills them (1 per item, 2 per transactional item, index updates not included).`,
);

// ---------------------------------------------------------------------------------------------------------------
// 1b. No enumeration: answers that must look alike, side by side. Each group must make the same DynamoDB calls;
// the times show what a caller could measure (the noise between runs is larger than any difference).
console.log(
  `\n| must look alike (n=${N}) | status | DynamoDB round trips | handler p50 | handler p99 |\n|---|---|---|---|---|`,
);
async function alike(label: string, n: number, prepare: (i: number) => Promise<() => Promise<Reply>>) {
  const times: number[] = [];
  const trips = new Set<string>();
  let status = 0;
  for (let i = 0; i < n; i++) {
    const act = await prepare(i);
    const { result, calls } = await record(act);
    trips.add(
      dynamoOnly(calls)
        .map((c) => c.command.constructor.name)
        .join(','),
    );
    times.push(result.handlerMs);
    status = result.status;
  }
  const shapes = [...trips];
  console.log(
    `| ${label} | ${status} | ${shapes.length === 1 ? shapes[0]!.split(',').filter(Boolean).length : `varies: ${shapes.join(' / ')}`} | ${ms(pct(times, 50))} | ${ms(pct(times, 99))} |`,
  );
}
const lookup = (token: string, status: number) => () =>
  call('GET', `/api/v1/organizations/invitations/${token}`, `looker-${run}@example.com`, undefined, status);
const looked = async (i: number, fate: 'pending' | 'revoked') => {
  const who = `lookup-${fate}-${i}-${run}@example.com`;
  await call('POST', `/api/v1/organizations/${orgOf[i]}/invitations`, admin(i), { emails: [who] });
  const token = await tokenFor(i, who);
  if (fate === 'revoked')
    await call('DELETE', `/api/v1/organizations/${orgOf[i]}/invitations/${token}`, admin(i));
  return token;
};
await alike('look up a pending invitation', N, async (i) => lookup(await looked(i, 'pending'), 200));
await alike('look up an unknown token', N, async () => lookup(newToken(), 404));
await alike('look up a revoked token', N, async (i) => lookup(await looked(i, 'revoked'), 404));
const inviter = `inviter-${run}@example.com`;
const inviterOrg = (await call('POST', '/api/v1/organizations', inviter, { name: 'Inviter' })).body
  .id as string;
const inviteOne = (email: string) => () =>
  call('POST', `/api/v1/organizations/${inviterOrg}/invitations`, inviter, { emails: [email] });
await alike('invite an address nobody uses', N, async (i) => inviteOne(`nobody-${i}-${run}@example.com`));
await alike('invite a user without an organization', N, async (i) => {
  const email = `loner-${i}-${run}@example.com`;
  await call('GET', '/api/v1/organizations', email); // seen once: the user exists
  return inviteOne(email);
});
await alike('invite a user who belongs elsewhere', N, async (i) => {
  const email = `taken-${i}-${run}@example.com`;
  await call('POST', '/api/v1/organizations', email, { name: 'Elsewhere' });
  return inviteOne(email);
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Migration, end to end. The workflow needs the outbox (it resumes the wait); the operations' invitations above
// are not emailed: the outbox goes on from the stream's end.
stack.outbox.skipToLatest();
stack.outbox.resume();
console.log(
  '\n| deployments | state transitions | budget (15 + 4n) | Lambda invocations | end to end |\n|---|---|---|---|---|',
);
for (const n of smoke ? [0, 1] : [0, 1, 10, 50]) {
  const user = `migrant-${n}-${run}@example.com`;
  const target = `target-${n}-${run}@example.com`;
  const src = (await call('POST', '/api/v1/organizations', user, { name: 'Source' })).body.id;
  for (let k = 0; k < n; k++)
    await call('POST', `/api/v1/organizations/${src}/deployments`, user, {
      name: `d${k}`,
      configuration: { k },
    });
  const tgt = (await call('POST', '/api/v1/organizations', target, { name: 'Target' })).body.id;
  await call('POST', `/api/v1/organizations/${tgt}/invitations`, target, { emails: [user] });
  const repo = (await call('POST', '/api/v1/users/me/snapshot-repositories', user, { name: 'b' })).body.id;
  const t = performance.now();
  const id = (
    await call('POST', '/api/v1/migrations', user, { target_organization_id: tgt, repository_id: repo })
  ).body.id as string;
  await until(user, id, (m) => m.current_step === 'Wait for invitation acceptance' || m.status !== 'running');
  const token = (await call('GET', `/api/v1/organizations/${tgt}/invitations`, target)).body.invitations.find(
    (x: { email: string }) => x.email === user,
  ).token;
  await call('POST', `/api/v1/organizations/invitations/${token}/_accept`, user);
  const done = await until(user, id, (m) => m.status !== 'running');
  // The outcome is recorded a state before the end: wait for the execution itself to finish.
  const executionArn = executionArnOf(stateMachineArnFor('migration'), id);
  while ((await sfnClient.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING')
    await new Promise((r) => setTimeout(r, 20));
  const elapsed = performance.now() - t;
  if (done.status !== 'succeeded') throw new Error(`migration with ${n} deployments ${done.status}`);
  const { events = [] } = await sfnClient.send(
    new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
  );
  const transitions = events.filter((e) => e.type?.endsWith('StateEntered')).length;
  const invocations = events.filter((e) =>
    ['TaskStateEntered', 'TaskStateRetried'].includes(e.type as string),
  ).length;
  console.log(
    `| ${n} | ${transitions} | ${15 + 4 * n} | ${invocations} | ${(elapsed / 1000).toFixed(2)} s |`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// 3. Bundles (after the operations, so DynamoDB Local's JVM is warm and the figures are the bundles', not the JIT's)
const bundles = await measureBundles(
  smoke ? ['api/handlers/health', 'organizations/handlers/create'] : HANDLERS,
  smoke ? 1 : 5,
);
console.log(
  '\n| handler | minified bundle | import | first call | cold init (import + first call) | warm call |\n|---|---|---|---|---|---|',
);
const f0 = (x: number) => `${x.toFixed(0)} ms`;
for (const b of bundles) {
  console.log(
    `| ${b.handler} | ${(b.bytes / 1024).toFixed(0)} KB | ${f0(b.importMs)} | ${f0(b.firstMs)} | ${f0(b.importMs + b.firstMs)} | ${f0(b.warmMs)} |`,
  );
}
const worst = (f: (b: (typeof bundles)[number]) => number) => Math.max(...bundles.map(f));
console.log(
  `\nLargest bundle ${(worst((b) => b.bytes) / 1024).toFixed(0)} KB; slowest import ${f0(worst((b) => b.importMs))}; slowest cold init ${f0(worst((b) => b.importMs + b.firstMs))} (medians of ${smoke ? 1 : 5} fresh processes).`,
);

await stack.stop();
console.log(
  `\n${N} requests per operation against DynamoDB Local on this machine; total ${((performance.now() - started) / 1000).toFixed(0)} s.`,
);
process.exit(0);
