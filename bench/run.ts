/**
 * `npm run bench` (`-- --smoke` for the quick pass CI runs). Prints Markdown tables; docs/operations.md keeps the last figures.
 * Each part lives in its own file; this one starts the local stack and runs them in order:
 *
 * 0. The outbox (bench/outbox.ts, bench/send-rate.ts): emails at the configured rate, none lost.
 * 1. Per API operation (bench/operations.ts), through the local gateway against DynamoDB Local: round trips, consumed
 *    capacity, handler time p50/p95/p99 (the gateway's Server-Timing, like Lambda's duration) and the floor: the same
 *    AWS requests replayed bare through the SDK, with the ratio of the two p50s. The member lists of a 10,000-member
 *    organization, its pages and searches (bench/member-lists.ts). SSO sign-in, first and repeat, through the whole
 *    chain (bench/sso.ts). Answers that must look alike (bench/alike.ts).
 * 2. The migration (bench/migration.ts): state transitions, Lambda invocations and end-to-end time for 0, 1, 10 and
 *    50 deployments.
 * 3. Per Lambda bundle (bench/bundles.ts): minified size as the stack bundles it, cold module initialisation.
 * 4. Cost at AWS list prices (bench/pricing.ts, bench/prices.ts, bench/cost.ts): per operation, per migration, a
 *    month of the workload in bench/workload.ts, and a month of SSO members (bench/sso.ts).
 */

import { parseCommand } from '../local/cli.ts';
import { type LocalStack, startLocalStack } from '../local/stack.ts';
import { benchAlike } from './alike.ts';
import { HANDLERS, measureBundles } from './bundles.ts';
import { createBench } from './context.ts';
import { benchMemberLists } from './member-lists.ts';
import { benchMigrations } from './migration.ts';
import { benchOperations, benchStartMigration } from './operations.ts';
import { benchOutbox } from './outbox.ts';
import { priceMonth, priceOperations } from './pricing.ts';
import { instrumentClients } from './record.ts';
import { benchSso, priceSsoMonth } from './sso.ts';

const { values } = parseCommand({
  name: 'npm run bench --',
  usage: `[--smoke]

Starts its own local stack (free ports, its own table) and prints Markdown tables: each API operation
against its floor (the same AWS requests made bare), the member lists of a 10,000-member organization, SSO sign-in, answers that
must look alike, the migration, bundle sizes with cold init, and the cost at AWS list prices of each operation, each
migration and a month of bench/workload.ts. About 5 minutes; docs/operations.md keeps the last figures.

Options:
  --smoke     5 samples instead of 100 and the small cases only: checks the benchmark still works (CI runs it)
  -h, --help  this text`,
  options: { smoke: { type: 'boolean', default: false } },
});
const smoke = values.smoke;
process.env.LOG_LEVEL = 'silent';
const started = performance.now();

const stack: LocalStack = await startLocalStack({
  tableName: `bench-${Date.now()}`,
  keyFile: '.local/bench-jwt-key.json',
});
instrumentClients();
const b = createBench(stack, smoke);

await benchOutbox(b);
const fleet = await benchOperations(b);
await benchMemberLists(b);
await benchStartMigration(b, fleet);
await benchSso(b);
const priced = priceOperations(b);
await benchAlike(b, fleet);
const migrations = await benchMigrations(b);
priceMonth(priced, migrations);
priceSsoMonth(b);

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
  `\n${b.n} requests per operation against DynamoDB Local on this machine; total ${((performance.now() - started) / 1000).toFixed(0)} s.`,
);
process.exit(0);
