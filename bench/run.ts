/**
 * `npm run bench` (`-- --smoke` for the quick pass CI runs). Prints Markdown tables; docs/operations.md keeps the last figures.
 *
 * 1. Per API operation, through the local gateway against DynamoDB Local: DynamoDB round trips and consumed capacity,
 *    handler time p50/p99 (the gateway's Server-Timing, like Lambda's duration) and the floor: the same AWS requests
 *    replayed bare through the SDK in the same run, with the ratio of the two p50s.
 * 2. The migration: state transitions, Lambda invocations and end-to-end time for 0, 1, 10 and 50 deployments.
 * 3. Per Lambda bundle: minified size as the stack bundles it, cold module initialisation (fresh Node process).
 * 4. Cost at AWS list prices (bench/prices.ts, bench/cost.ts): per operation, per migration, and a month of the
 *    workload in bench/workload.ts.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { joinItems } from '../functions/organizations/membership.ts';
import { OUTBOX_MAPPING } from '../functions/outbox/mapping.ts';
import { dynamo } from '../functions/shared/clients.ts';
import { config } from '../functions/shared/config.ts';
import { defaultDeps, newToken } from '../functions/shared/deps.ts';
import { ENTITY, keys } from '../functions/shared/table.ts';
import { FUNCTION_MEMORY_MB } from '../infra/constructs/functions.ts';
import { executionArnOf } from '../local/arns.ts';
import { parseCommand } from '../local/cli.ts';
import { localUserId, requestDevToken } from '../local/jwt.ts';
import { readMailbox } from '../local/ses.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import { stateMachineArnFor } from '../local/stepfunctions.ts';
import { HANDLERS, measureBundles } from './bundles.ts';
import { addUsage, costOf, monthlyCost, NO_USAGE, outboxUsage, type PerEmail, type Usage } from './cost.ts';
import { PRICES } from './prices.ts';
import { type Call, indexWriteUnits, instrumentClients, record, replay, writeUnits } from './record.ts';
import { benchSendRate } from './send-rate.ts';
import { LOG_BYTES, stackFixed, WORKLOAD } from './workload.ts';

const { values } = parseCommand({
  name: 'npm run bench --',
  usage: `[--smoke]

Starts its own local stack (free ports, its own table) and prints Markdown tables: each API operation
against its floor (the same AWS requests made bare), answers that must look alike, the migration, bundle sizes
with cold init, and the cost at AWS list prices of each operation, each migration and a month of bench/workload.ts.
About 4 minutes; docs/operations.md keeps the last figures.

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

const dynamoOnly = (calls: Call[]) => calls.filter((c) => c.client === 'dynamodb');
/** The outbox's work per invitation email, from the largest batch below. */
let perEmail: PerEmail = { readUnits: 0, writeUnits: 0, ms: 0 };

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
    // Watch the mailbox: when the first and the last email arrived (local SES stamps whole seconds only). Nothing
    // else runs meanwhile: the DynamoDB calls recorded are the outbox's.
    const wanted = new Set(emails);
    let got: Awaited<ReturnType<typeof readMailbox>> = [];
    let first = 0;
    let last = 0;
    const sending = await record(async () => {
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
    });
    if (size > 1 && last > first) {
      const dynamoCalls = dynamoOnly(sending.calls);
      perEmail = {
        readUnits: sending.capacity / size,
        writeUnits: (writeUnits(dynamoCalls) + (await indexWriteUnits(dynamoCalls))) / size,
        // Paced at the configured rate, an invocation lasts about as long as its emails take to leave.
        ms: (last - first) / (size - 1),
      };
    }
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
  console.log(
    `\nPer email the outbox used ${perEmail.readUnits.toFixed(1)} read and ${perEmail.writeUnits.toFixed(1)} write units and ${perEmail.ms.toFixed(0)} ms of its invocation (paced sending), priced with each invitation below.`,
  );
  await benchSendRate(stack, call, run, smoke);
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
/** What each operation used (the most units one request used, the p50 handler time), for the cost tables. */
const usageOf = new Map<string, Usage>();
/** One request through the API to one function: its Lambda, API Gateway and log usage. */
const request = (ms: number): Usage => ({
  ...NO_USAGE,
  lambdaMs: [ms],
  memoryMb: FUNCTION_MEMORY_MB,
  apiRequests: 1,
  logBytes: LOG_BYTES.perInvocation + LOG_BYTES.perApiRequest,
});

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
    writes = Math.max(writes, writeUnits(dynamoCalls) + (await indexWriteUnits(dynamoCalls)));
    handler.push(result.handlerMs);
    floor.push(await replay(calls));
  }
  const ratio = pct(handler, 50) / pct(floor, 50);
  usageOf.set(label, { ...request(pct(handler, 50)), readUnits: reads, writeUnits: writes });
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
    const { membership, memberEmail: marker } = joinItems(
      deps,
      { userId, email, emailVerified: true },
      bigOrg,
      {},
      now,
    );
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
  `\nScan on a request path: ${scans.length ? scans.join(', ') : 'none'}. Units: the most one request used; reads as DynamoDB reports them (ReturnConsumedCapacity INDEXES), writes counted from the requests as AWS bills them (1 per item, 2 per transactional item) plus index writes (see bench/record.ts).`,
);

// ---------------------------------------------------------------------------------------------------------------
// 1a. What each operation costs on AWS at list prices: the units above, Lambda at the p50 handler time, the API
// request, and for invitations the emails (SES and the outbox's work per email measured in 0).
/** Dollars to two significant digits, without exponents: $0.0000072, $0.43, $10.53. */
const dollars = (x: number) =>
  x === 0 ? '–' : `$${x.toFixed(Math.max(2, 1 - Math.floor(Math.log10(Math.abs(x)))))}`;
const invitedBy = (label: string) => Number(/^invite (\d+) address/.exec(label)?.[1] ?? 0);
const priced = new Map<string, Usage>();
for (const [label, usage] of usageOf) {
  const emails = invitedBy(label);
  priced.set(
    label,
    emails
      ? addUsage(usage, outboxUsage(emails, perEmail, OUTBOX_MAPPING.batchSize, FUNCTION_MEMORY_MB))
      : usage,
  );
}
console.log(
  `\n| cost at list prices (${PRICES.region}, ${PRICES.asOf}), per million operations | DynamoDB | Lambda (${FUNCTION_MEMORY_MB} MB arm64) | API Gateway | SES | logs (est.) | per million | per operation |\n|---|---|---|---|---|---|---|---|`,
);
for (const [label, usage] of priced) {
  const c = costOf(usage);
  console.log(
    `| ${label} | ${[c.dynamodb, c.lambda, c.apiGateway, c.ses, c.logs, c.total].map((x) => dollars(x * 1e6)).join(' | ')} | ${dollars(c.total)} |`,
  );
}
console.log(
  '\nLambda billed per 1 ms of the p50 handler time plus the request charge; invitations include their emails: SES and the outbox (its invocations per batch, DynamoDB units per email). Logs: the assumed bytes per invocation and request of bench/workload.ts. No free tier.',
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
// The migration's own work is recorded in two windows (start to the wait, accept to the end); the bench watches the
// migration item through a client of its own, so its polling is not counted. The accept is priced as an accept.
const watcher = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: stack.dynamoEndpoint }));
const WAIT_STEP = 'Wait for invitation acceptance';
const migrationItem = async (id: string) =>
  (
    await watcher.send(
      new GetCommand({ TableName: stack.tableName, Key: keys.migration(id), ConsistentRead: true }),
    )
  ).Item as
    | { status: string; current_step: string; history?: { step: string; status: string }[] }
    | undefined;
const migrationUsage = new Map<number, Usage>();
console.log(
  '\n| deployments | state transitions | budget (15 + 4n) | Lambda invocations | Lambda time | read units | write units | emails | end to end | cost per migration |\n|---|---|---|---|---|---|---|---|---|---|',
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
  await stack.outbox.idle(600_000);
  const mailBefore = (await readMailbox(stack.sesEndpoint)).filter(
    (m) => m.destination.to[0] === user,
  ).length;
  const t = performance.now();
  let id = '';
  let startMs = 0;
  const untilItem = async (done: (m: NonNullable<Awaited<ReturnType<typeof migrationItem>>>) => boolean) => {
    for (let k = 0; k < 3000; k++) {
      const m = await migrationItem(id);
      if (m && done(m)) return m;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`migration ${id} stalled`);
  };
  const toWait = await record(async () => {
    const r = await call('POST', '/api/v1/migrations', user, {
      target_organization_id: tgt,
      repository_id: repo,
    });
    id = r.body.id;
    startMs = r.handlerMs;
    await untilItem(
      (m) =>
        m.status !== 'running' ||
        (m.current_step === WAIT_STEP &&
          m.history?.filter((h) => h.step === WAIT_STEP).at(-1)?.status === 'waiting'),
    );
  });
  const token = (await call('GET', `/api/v1/organizations/${tgt}/invitations`, target)).body.invitations.find(
    (x: { email: string }) => x.email === user,
  ).token;
  await call('POST', `/api/v1/organizations/invitations/${token}/_accept`, user);
  // The outcome is recorded a state before the end: wait for the execution itself to finish.
  const executionArn = executionArnOf(stateMachineArnFor('migration'), id);
  const toEnd = await record(async () => {
    while ((await sfnClient.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING')
      await new Promise((r) => setTimeout(r, 20));
    await stack.outbox.idle(600_000);
  });
  const elapsed = performance.now() - t;
  const done = await migrationItem(id);
  if (done?.status !== 'succeeded') throw new Error(`migration with ${n} deployments ${done?.status}`);
  const { events = [] } = await sfnClient.send(
    new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
  );
  const transitions = events.filter((e) => e.type?.endsWith('StateEntered')).length;
  const invocations = events.filter((e) =>
    ['TaskStateEntered', 'TaskStateRetried'].includes(e.type as string),
  ).length;
  // Each task's time from the history (entered to exited, paired by state name in order). The wait's task returns
  // once it has stored its token, but its state lasts until the accept: it is priced at the other tasks' median.
  const entered = new Map<string, number[]>();
  const taskMs: number[] = [];
  for (const e of events) {
    const name = (e.stateEnteredEventDetails ?? e.stateExitedEventDetails)?.name ?? '';
    const at = e.timestamp?.getTime() ?? 0;
    if (e.type === 'TaskStateEntered') entered.set(name, [...(entered.get(name) ?? []), at]);
    if (e.type === 'TaskStateExited' && name !== WAIT_STEP) {
      const from = entered.get(name)?.shift();
      if (from !== undefined) taskMs.push(at - from);
    }
  }
  if (events.some((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === WAIT_STEP))
    taskMs.push(pct(taskMs, 50));
  const calls = dynamoOnly([...toWait.calls, ...toEnd.calls]);
  const emails =
    (await readMailbox(stack.sesEndpoint)).filter((m) => m.destination.to[0] === user).length - mailBefore;
  const usage = addUsage(
    request(startMs),
    {
      ...NO_USAGE,
      readUnits: toWait.capacity + toEnd.capacity,
      writeUnits: writeUnits(calls) + (await indexWriteUnits(calls)),
      lambdaMs: taskMs,
      memoryMb: FUNCTION_MEMORY_MB,
      transitions,
      emails,
      logBytes: taskMs.length * LOG_BYTES.perInvocation + transitions * LOG_BYTES.perTransition,
    },
    // The outbox's own invocations for those emails (their units are in the windows already).
    {
      ...outboxUsage(emails, perEmail, OUTBOX_MAPPING.batchSize, FUNCTION_MEMORY_MB),
      readUnits: 0,
      writeUnits: 0,
    },
  );
  migrationUsage.set(n, usage);
  console.log(
    `| ${n} | ${transitions} | ${15 + 4 * n} | ${invocations} | ${taskMs.reduce((a, b) => a + Math.ceil(b), 0)} ms | ${usage.readUnits} | ${usage.writeUnits} | ${emails} | ${(elapsed / 1000).toFixed(2)} s | ${dollars(costOf(usage).total)} |`,
  );
}
console.log(
  "\nA migration: the start request, every task invocation (billed per 1 ms of its time in the history), every state transition, its DynamoDB units (the start, the tasks and the outbox, which resumes the wait and sends the emails), its emails (SES and the outbox invocations), logs as assumed. The target invitation's accept is priced as an accept.",
);

// ---------------------------------------------------------------------------------------------------------------
// 2b. A month of the stated workload (bench/workload.ts), from the per-operation costs above, and the fixed items.
{
  const migrationOf = (label: string) =>
    migrationUsage.get(Number(/\((\d+) deployments?\)/.exec(label)?.[1]));
  const workload = Object.entries(WORKLOAD.perMonth).flatMap(([label, count]) => {
    const usage = priced.get(label) ?? migrationOf(label);
    return usage ? [{ label, count, usage }] : [];
  });
  const month = monthlyCost(workload, stackFixed({ ownUserPool: true }));
  console.log(
    `\n| a month (${WORKLOAD.organizations} organizations, ${WORKLOAD.members} members) | per month | each | cost |\n|---|---|---|---|`,
  );
  for (const l of month.lines)
    console.log(`| ${l.label} | ${l.count} | ${dollars(l.each)} | ${dollars(l.cost)} |`);
  for (const f of month.fixed) console.log(`| ${f.label} | – | – | ${dollars(f.cost)} |`);
  console.log(`| **total** | | | **${dollars(month.total)}** |`);
  const missing = Object.keys(WORKLOAD.perMonth).filter((l) => !workload.some((w) => w.label === l));
  if (missing.length)
    console.log(`\nNot measured in this run (left out of the total): ${missing.join(', ')}.`);
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
