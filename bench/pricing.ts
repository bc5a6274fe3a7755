/**
 * 1a. What each operation costs on AWS at list prices: the units of the operations table, Lambda at the p50 handler
 * time, the API request, and for invitations the emails (SES and the outbox's work per email). 2b. A month of the stated
 * workload (bench/workload.ts) from those costs, the migrations' and the fixed items.
 */
import { OUTBOX_MAPPING } from '../functions/outbox/mapping.ts';
import { FUNCTION_MEMORY_MB } from '../infra/constructs/functions.ts';
import type { Bench } from './context.ts';
import { addUsage, costOf, monthlyCost, outboxUsage, type Usage } from './cost.ts';
import { PRICES } from './prices.ts';
import { stackFixed, WORKLOAD } from './workload.ts';

/** Dollars to two significant digits, without exponents: $0.0000072, $0.43, $10.53. */
export const dollars = (x: number) =>
  x === 0 ? '–' : `$${x.toFixed(Math.max(2, 1 - Math.floor(Math.log10(Math.abs(x)))))}`;

/** Prints the cost of each operation measured; returns their usage with the emails invitations send. */
export function priceOperations(b: Bench): Map<string, Usage> {
  const invitedBy = (label: string) => Number(/^invite (\d+) address/.exec(label)?.[1] ?? 0);
  const priced = new Map<string, Usage>();
  for (const [label, usage] of b.usageOf) {
    const emails = invitedBy(label);
    priced.set(
      label,
      emails
        ? addUsage(usage, outboxUsage(emails, b.perEmail, OUTBOX_MAPPING.batchSize, FUNCTION_MEMORY_MB))
        : usage,
    );
  }
  console.log(
    `\n| cost at list prices (${PRICES.region}, ${PRICES.asOf}), per million operations | DynamoDB | Lambda (${FUNCTION_MEMORY_MB} MB arm64) | API Gateway | SES | KMS | logs (est.) | per million | per operation |\n|---|---|---|---|---|---|---|---|---|`,
  );
  for (const [label, usage] of priced) {
    const c = costOf(usage);
    console.log(
      `| ${label} | ${[c.dynamodb, c.lambda, c.apiGateway, c.ses, c.kms, c.logs, c.total].map((x) => dollars(x * 1e6)).join(' | ')} | ${dollars(c.total)} |`,
    );
  }
  console.log(
    '\nLambda billed per 1 ms of the p50 handler time plus the request charge; invitations include their emails: SES and the outbox (its invocations per batch, DynamoDB units per email). An SSO sign-in is its bridge requests (each a Lambda invocation and an API Gateway request) and KMS Sign calls (RSA 2048 asymmetric requests). Logs: the assumed bytes per invocation and request of bench/workload.ts. No free tier.',
  );
  return priced;
}

/** Prints a month of the workload from the priced operations and the migrations' usage by deployments. */
export function priceMonth(priced: Map<string, Usage>, migrationUsage: Map<number, Usage>): void {
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
