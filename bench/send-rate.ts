/**
 * The outbox's shared sending rate with 1, 4 and 16 consumers at once, as a table with that many stream shards would
 * run them in AWS (one invocation per shard). Invitations are written through the API with the local poller paused;
 * each consumer then invokes the outbox handler with its own share of their stream records, all at once. Sends are
 * timed as each request leaves the SES client, and the rate is (n - 1) / (last - first); the busiest second is the most sends
 * in any one-second window. The target: within 5% of the configured rate and never above it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { handler } from '../functions/outbox/handlers/stream.ts';
import { OUTBOX_MAPPING } from '../functions/outbox/mapping.ts';
import { dynamo } from '../functions/shared/clients.ts';
import { config } from '../functions/shared/config.ts';
import { ses } from '../functions/shared/mailer.ts';
import { keys } from '../functions/shared/table.ts';
import type { LocalStack } from '../local/stack.ts';

type Call = (
  method: string,
  path: string,
  as: string,
  body?: unknown,
) => Promise<{ status: number; body: any }>;

const sendTimes: number[] = [];
let watching = false;
ses.middlewareStack.add(
  (next, context) => async (args) => {
    const at = performance.now();
    const out = await next(args);
    // When the request left, counted once SES took it (an attempt the SDK retries is not a send).
    if (watching && context.commandName === 'SendEmailCommand') sendTimes.push(at);
    return out;
  },
  { step: 'finalizeRequest', priority: 'low', name: 'benchSendTimes' },
);

/** The most sends in any window of one second. */
const busiestSecond = (times: number[]) => {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
};

export async function benchSendRate(
  stack: LocalStack,
  call: Call,
  run: string,
  smoke: boolean,
): Promise<void> {
  const rate = config().emailSendRatePerSecond;
  const perRun = smoke ? 2 * rate : 10 * rate;
  console.log(
    `\n| consumers at once (outbox at ${rate} emails/s) | emails | emails per second | of the rate | busiest second |\n|---|---|---|---|---|`,
  );
  for (const consumers of [1, 4, 16]) {
    const owner = `rate-${consumers}-${run}@example.com`;
    const org = (await call('POST', '/api/v1/organizations', owner, { name: 'Rate' })).body.id as string;
    await stack.outbox.idle();
    stack.outbox.pause();
    const emails = Array.from({ length: perRun }, (_, k) => `rate${consumers}-${k}-${run}@example.com`);
    for (let k = 0; k < emails.length; k += 100) {
      const res = await call('POST', `/api/v1/organizations/${org}/invitations`, owner, {
        emails: emails.slice(k, k + 100),
      });
      if (res.status !== 201) throw new Error(`send rate: invite answered ${res.status}`);
    }
    // The records the stream carries for these invitations: each consumer gets its share, in batches of the mapping.
    const records: DynamoDBRecord[] = [];
    for (const [k, email] of emails.entries()) {
      const key = keys.invitation(org, email);
      const item = (await dynamo.send(new GetCommand({ TableName: stack.tableName, Key: key }))).Item!;
      records.push({
        eventID: `bench-${consumers}-${k}`,
        eventName: 'INSERT',
        dynamodb: {
          Keys: marshall(key) as never,
          NewImage: marshall(item, { removeUndefinedValues: true }) as never,
          SequenceNumber: String(k).padStart(21, '0'),
        },
      });
    }
    sendTimes.length = 0;
    watching = true;
    await Promise.all(
      Array.from({ length: consumers }, async (_, c) => {
        const mine = records.filter((_, k) => k % consumers === c);
        for (let b = 0; b < mine.length; b += OUTBOX_MAPPING.batchSize) {
          const event: DynamoDBStreamEvent = { Records: mine.slice(b, b + OUTBOX_MAPPING.batchSize) };
          const out = await handler(event);
          if (out.batchItemFailures.length > 0) throw new Error('send rate: a record failed');
        }
      }),
    );
    watching = false;
    stack.outbox.skipToLatest(); // these records are done; the poller need not see them again
    stack.outbox.resume();
    const times = [...sendTimes].sort((a, b) => a - b);
    if (times.length !== perRun) throw new Error(`send rate: ${perRun} invited, ${times.length} sent`);
    const perSecond = (times.length - 1) / ((times.at(-1)! - times[0]!) / 1000);
    console.log(
      `| ${consumers} | ${times.length} | ${perSecond.toFixed(2)} | ${((100 * perSecond) / rate).toFixed(1)}% | ${busiestSecond(times)} |`,
    );
  }
}
