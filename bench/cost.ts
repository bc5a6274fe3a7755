/**
 * What measured usage costs at list prices (bench/prices.ts). Pure: the bench measures, these functions price, and
 * test/unit/cost.test.ts checks them against a hand-computed example.
 */
import { PRICES, type Prices } from './prices.ts';

/** What one operation (or one migration, or one outbox batch) used. */
export interface Usage {
  /** DynamoDB read request units (on-demand bills RRUs as the capacity units the request consumed). */
  readUnits: number;
  /** DynamoDB write request units, index writes included. */
  writeUnits: number;
  /** The duration of each Lambda invocation, in ms (billed rounded up to the next 1 ms). */
  lambdaMs: readonly number[];
  /** Configured memory of the functions invoked, in MB. */
  memoryMb: number;
  /** Requests through API Gateway's HTTP API. */
  apiRequests: number;
  /** Step Functions Standard state transitions. */
  transitions: number;
  /** Emails sent through SES. */
  emails: number;
  /** Log bytes ingested by CloudWatch Logs. */
  logBytes: number;
  /** KMS Sign requests (the SSO bridge's tokens, RSA 2048). */
  kmsSigns: number;
}

export const NO_USAGE: Usage = {
  readUnits: 0,
  writeUnits: 0,
  lambdaMs: [],
  memoryMb: 0,
  apiRequests: 0,
  transitions: 0,
  emails: 0,
  logBytes: 0,
  kmsSigns: 0,
};

export interface Cost {
  dynamodb: number;
  lambda: number;
  apiGateway: number;
  stepFunctions: number;
  ses: number;
  logs: number;
  kms: number;
  total: number;
}

/** Dollars for one `usage`. */
export function costOf(usage: Usage, prices: Prices = PRICES): Cost {
  const dynamodb =
    usage.readUnits * prices.dynamodb.perReadRequestUnit +
    usage.writeUnits * prices.dynamodb.perWriteRequestUnit;
  const gbSeconds = usage.lambdaMs.reduce((s, ms) => s + Math.ceil(ms) / 1000, 0) * (usage.memoryMb / 1024);
  const lambda = gbSeconds * prices.lambda.perGbSecondArm + usage.lambdaMs.length * prices.lambda.perRequest;
  const apiGateway = usage.apiRequests * prices.apiGateway.perHttpRequest;
  const stepFunctions = usage.transitions * prices.stepFunctions.perStateTransition;
  const ses = usage.emails * prices.ses.perEmail;
  const logs = (usage.logBytes / 1024 ** 3) * prices.cloudWatch.perLogGb;
  const kms = usage.kmsSigns * prices.kms.perSignRequest;
  return {
    dynamodb,
    lambda,
    apiGateway,
    stepFunctions,
    ses,
    logs,
    kms,
    total: dynamodb + lambda + apiGateway + stepFunctions + ses + logs + kms,
  };
}

/** The sum of several usages (memory must agree: every function of the stack has the same). */
export function addUsage(...usages: Usage[]): Usage {
  return usages.reduce(
    (a, b) => ({
      readUnits: a.readUnits + b.readUnits,
      writeUnits: a.writeUnits + b.writeUnits,
      lambdaMs: [...a.lambdaMs, ...b.lambdaMs],
      memoryMb: Math.max(a.memoryMb, b.memoryMb),
      apiRequests: a.apiRequests + b.apiRequests,
      transitions: a.transitions + b.transitions,
      emails: a.emails + b.emails,
      logBytes: a.logBytes + b.logBytes,
      kmsSigns: a.kmsSigns + b.kmsSigns,
    }),
    NO_USAGE,
  );
}

/** Monthly items the stack creates whatever the traffic. */
export interface Fixed {
  alarms: number;
  dashboards: number;
  kmsKeys: number;
}

export interface MonthLine {
  label: string;
  /** How many times a month. */
  count: number;
  /** The cost of one. */
  each: number;
  cost: number;
}

export interface Month {
  lines: MonthLine[];
  fixed: { label: string; cost: number }[];
  total: number;
}

/** A month of `workload` (how many of each priced operation) plus the fixed items. */
export function monthlyCost(
  workload: readonly { label: string; count: number; usage: Usage }[],
  fixed: Fixed,
  prices: Prices = PRICES,
): Month {
  const lines = workload.map(({ label, count, usage }) => {
    const each = costOf(usage, prices).total;
    return { label, count, each, cost: count * each };
  });
  const fixedLines = [
    { label: `${fixed.alarms} CloudWatch alarms`, cost: fixed.alarms * prices.cloudWatch.perAlarmMonth },
    {
      label: `${fixed.dashboards} CloudWatch dashboard`,
      cost: fixed.dashboards * prices.cloudWatch.perDashboardMonth,
    },
    { label: `${fixed.kmsKeys} KMS key`, cost: fixed.kmsKeys * prices.kms.perKeyMonth },
  ];
  const total = [...lines, ...fixedLines].reduce((s, l) => s + l.cost, 0);
  return { lines, fixed: fixedLines, total };
}

/** What the outbox (functions/outbox) uses to send one email, measured by the bench. */
export interface PerEmail {
  readUnits: number;
  writeUnits: number;
  /** Lambda time per email: the handler paces SES, so an invocation lasts about as long as its emails take. */
  ms: number;
}

/**
 * The outbox's work for `emails` invitation emails: invocations of up to `batchSize` records (the event source
 * mapping's batch), each lasting its emails' time, plus the per-email DynamoDB units and SES sends.
 */
export function outboxUsage(emails: number, perEmail: PerEmail, batchSize: number, memoryMb: number): Usage {
  const lambdaMs: number[] = [];
  for (let left = emails; left > 0; left -= batchSize) lambdaMs.push(Math.min(left, batchSize) * perEmail.ms);
  return {
    ...NO_USAGE,
    readUnits: emails * perEmail.readUnits,
    writeUnits: emails * perEmail.writeUnits,
    lambdaMs,
    memoryMb,
    emails,
  };
}
