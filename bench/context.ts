/**
 * What every part of `npm run bench` shares: the local stack, requests through its gateway as a client sends them,
 * and the operations table (`measure`), whose figures the cost tables price afterwards.
 */
import { FUNCTION_MEMORY_MB } from '../infra/constructs/functions.ts';
import { requestDevToken } from '../local/jwt.ts';
import type { LocalStack } from '../local/stack.ts';
import { NO_USAGE, type PerEmail, type Usage } from './cost.ts';
import { type Call, indexWriteUnits, record, replay, writeUnits } from './record.ts';
import { LOG_BYTES } from './workload.ts';

export interface Reply {
  status: number;
  body: any;
  handlerMs: number;
}

export type CallApi = (
  method: string,
  path: string,
  email: string,
  body?: unknown,
  expected?: number,
) => Promise<Reply>;

export interface Bench {
  stack: LocalStack;
  smoke: boolean;
  /** Samples per operation. */
  n: number;
  /** A suffix that makes this run's addresses its own. */
  run: string;
  call: CallApi;
  /** What each operation used (the most units one request used, the p50 handler time), for the cost tables. */
  usageOf: Map<string, Usage>;
  /** Operations that scanned: there must be none. */
  scans: string[];
  /** The outbox's work per invitation email, measured by the outbox part. */
  perEmail: PerEmail;
}

export function createBench(stack: LocalStack, smoke: boolean): Bench {
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
  const call: CallApi = async (method, path, email, body, expected) => {
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
  };
  return {
    stack,
    smoke,
    n: smoke ? 5 : 100,
    run: Date.now().toString(36),
    call,
    usageOf: new Map(),
    scans: [],
    perEmail: { readUnits: 0, writeUnits: 0, ms: 0 },
  };
}

export const dynamoOnly = (calls: Call[]) => calls.filter((c) => c.client === 'dynamodb');
export const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
export const ms = (x: number) => `${x.toFixed(1)} ms`;

/** One request through the API to one function: its Lambda, API Gateway and log usage. */
export const request = (handlerMs: number): Usage => ({
  ...NO_USAGE,
  lambdaMs: [handlerMs],
  memoryMb: FUNCTION_MEMORY_MB,
  apiRequests: 1,
  logBytes: LOG_BYTES.perInvocation + LOG_BYTES.perApiRequest,
});

export const OPERATIONS_HEADER = (n: number) =>
  `\n| operation (n=${n}) | DynamoDB round trips | read units | write units | handler p50 | handler p95 | handler p99 | floor p50 | floor p99 | p50 ratio |\n|---|---|---|---|---|---|---|---|---|---|`;

/** One row of the operations table. `prepare(i)` sets the scene outside the measurement and returns the request. */
export async function measure(
  b: Bench,
  label: string,
  n: number,
  prepare: (i: number) => Promise<() => Promise<Reply>>,
) {
  const handler: number[] = [];
  const floor: number[] = [];
  let trips = 0;
  let reads = 0;
  let writes = 0;
  for (let i = 0; i < n; i++) {
    const act = await prepare(i);
    const { result, calls, capacity } = await record(act);
    const dynamoCalls = dynamoOnly(calls);
    if (dynamoCalls.some((c) => c.command.constructor.name.startsWith('Scan'))) b.scans.push(label);
    trips = Math.max(trips, dynamoCalls.length);
    reads = Math.max(reads, capacity);
    writes = Math.max(writes, writeUnits(dynamoCalls) + (await indexWriteUnits(dynamoCalls)));
    handler.push(result.handlerMs);
    floor.push(await replay(calls));
  }
  const ratio = pct(handler, 50) / pct(floor, 50);
  b.usageOf.set(label, { ...request(pct(handler, 50)), readUnits: reads, writeUnits: writes });
  console.log(
    `| ${label} | ${trips} | ${reads} | ${writes} | ${ms(pct(handler, 50))} | ${ms(pct(handler, 95))} | ${ms(pct(handler, 99))} | ${ms(pct(floor, 50))} | ${ms(pct(floor, 99))} | ${ratio.toFixed(2)} |`,
  );
}
