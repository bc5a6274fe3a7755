/**
 * The shared sending schedule against DynamoDB Local: many senders reserving at once (one per stream shard in AWS,
 * several emails each) get distinct slots one interval apart, so together they never exceed the rate.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import {
  HORIZON_MS,
  intervalMs,
  reserveSendSlot,
  type SendRateDeps,
} from '../../functions/outbox/send-rate.ts';
import { defaultDeps } from '../../functions/shared/deps.ts';
import { ENV } from '../../functions/shared/env-names.ts';
import { createTable } from '../../local/bootstrap.ts';
import { localAwsEnv } from '../../local/stack.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function schedule(rate: number, now: () => Date = () => new Date()): Promise<SendRateDeps> {
  const table = `send-rate-${randomBytes(4).toString('hex')}`;
  localAwsEnv({
    dynamodb: inject('dynamoEndpoint'),
    ses: inject('sesEndpoint'),
    sfn: 'http://127.0.0.1:9',
    kms: 'http://127.0.0.1:9',
  });
  await createTable(inject('dynamoEndpoint'), table);
  process.env[ENV.tableName] = table;
  process.env[ENV.publicBaseUrl] ??= 'http://127.0.0.1:9';
  process.env[ENV.senderEmail] ??= 'no-reply@example.com';
  process.env[ENV.stateMachineArn] ??= 'arn:aws:states:us-east-1:000000000000:stateMachine:none';
  return { ...defaultDeps(), table, now, emailSendRatePerSecond: rate, sleep };
}

describe('the shared sending schedule', () => {
  it('16 senders reserving 8 slots each at once get 128 distinct slots, none closer than one interval', async () => {
    const deps = await schedule(14);
    const slots = (
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          const mine: number[] = [];
          for (let k = 0; k < 8; k++) mine.push(await reserveSendSlot(deps));
          return mine;
        }),
      )
    )
      .flat()
      .sort((a, b) => a - b);
    expect(slots).toHaveLength(128);
    const gaps = slots.slice(1).map((s, i) => s - slots[i]!);
    // No slot is shared and none is closer than the rate allows (floating-point sums aside). A gap is longer only when
    // the senders fell behind real time and the schedule restarted at now, as it should, instead of saving up a burst.
    for (const gap of gaps) expect(gap).toBeGreaterThan(intervalMs(14) - 0.001);
    expect(gaps.filter((g) => g < intervalMs(14) + 0.001).length).toBeGreaterThan(gaps.length / 2);
  });

  it('an idle schedule starts again at now: no burst of slots saved up from the quiet time', async () => {
    let clock = Date.now();
    const deps = await schedule(10, () => new Date(clock));
    const first = await reserveSendSlot(deps);
    expect(first).toBe(clock);
    clock += 60_000; // a quiet minute
    const a = await reserveSendSlot(deps);
    const b = await reserveSendSlot(deps);
    expect(a).toBe(clock);
    expect(b - a).toBeCloseTo(intervalMs(10), 3);
  });

  it('a schedule booked beyond the horizon makes a sender wait instead of booking a slot it could not use', async () => {
    let clock = Date.now();
    const waits: number[] = [];
    const deps = {
      ...(await schedule(20, () => new Date(clock))),
      sleep: async (ms: number) => {
        waits.push(ms);
        clock += ms;
      },
    };
    // 20/s with 20 s of horizon: about 400 slots fit before now + 20 s; book them all without the clock moving.
    let last = 0;
    while (waits.length === 0) last = await reserveSendSlot(deps);
    expect(last - (clock - waits[0]!)).toBeLessThanOrEqual(HORIZON_MS + intervalMs(20));
    expect(waits[0]).toBeGreaterThan(0);
  }, 60_000);
});
