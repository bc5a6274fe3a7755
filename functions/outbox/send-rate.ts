/**
 * One sending rate across every outbox invocation: a reservation schedule (GCRA, the "virtual scheduling" form of a
 * token bucket with no burst) held in one table item.
 *
 * The item keeps `next_at`, the earliest time (epoch ms) the next email may leave. A sender reserves the slot at
 * `next_at` by moving it one interval on, with a condition that the slot is not in the past (an idle schedule restarts
 * at now instead, with the opposite condition), then sleeps until its slot. Reservations are atomic conditional
 * writes, so any number of concurrent invocations (one per stream shard in AWS, each sending several emails at once)
 * get distinct slots one interval apart: together they send at the rate, never above it, and a slot is never shared.
 *
 * A schedule further ahead than `HORIZON_MS` makes a sender wait before reserving, so no invocation books slots it
 * would reach only after its own timeout.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../shared/deps.ts';
import { ENTITY, keys, TABLE, ttlAt } from '../shared/table.ts';

/** How far ahead slots may be booked: well inside the handler's timeout (`OUTBOX_MAPPING.timeoutSeconds`). */
export const HORIZON_MS = 20_000;

/**
 * How late after its slot a send may still leave. A sender woken later than this (an overloaded process, a paused
 * container) gives the slot up and reserves another: sending late would bunch its email with the ones sent on time.
 */
export const LATE_TOLERANCE_MS = 10;

/**
 * The share of SES's rate the schedule uses. Slots are exact, but each send leaves up to `LATE_TOLERANCE_MS` after its
 * slot, plus what the process takes to put the request on the wire, so two neighbours can be that much closer than one
 * interval. At 96%, `rate` intervals span a second and 42 ms (at 14/s), which absorbs both on a machine that is not
 * overloaded, while the rate stays within 5% of SES's.
 */
export const RATE_HEADROOM = 0.96;

export interface SendRateDeps extends Deps {
  emailSendRatePerSecond: number;
  sleep: (ms: number) => Promise<void>;
}

/** Kept a day past its last use, then removed by TTL (an idle schedule restarts at now anyway). */
const ttl = (now: number) => ttlAt(new Date(now + 86_400_000));

const isConditionFailure = (e: unknown) => (e as Error)?.name === 'ConditionalCheckFailedException';

/** The interval between two emails, in milliseconds. */
export const intervalMs = (ratePerSecond: number) => 1000 / (ratePerSecond * RATE_HEADROOM);

/**
 * Slots given up for waking late before a sender sends anyway: a process too loaded to keep its timers within the
 * tolerance would otherwise reserve forever. It then sends late, which is as fast as it can send at all.
 */
export const MAX_LATE_WAKEUPS = 2;

/** Reserve the next free slot and wait for it. Resolves when this caller may send one email. */
export async function takeSendSlot(deps: SendRateDeps): Promise<void> {
  for (let late = 0; ; late++) {
    const slot = await reserveSendSlot(deps);
    let now = deps.now().getTime();
    if (slot > now) {
      await deps.sleep(slot - now);
      now = deps.now().getTime();
    }
    if (now <= slot + LATE_TOLERANCE_MS || late >= MAX_LATE_WAKEUPS) return;
  }
}

/** Reserve the next free slot: the time (epoch ms) this caller may send, now or later. */
export async function reserveSendSlot(deps: SendRateDeps): Promise<number> {
  const interval = intervalMs(deps.emailSendRatePerSecond);
  for (;;) {
    const slot = await reserve(deps, deps.now().getTime(), interval);
    if (typeof slot === 'number') return slot;
    await deps.sleep(slot.waitMs);
  }
}

/**
 * Which write this process tried first last time worked: a busy schedule takes its next slot, an idle one restarts at
 * now. Trying the likely one first makes a reservation one write in the usual case either way (a condition that
 * fails costs a write too): sporadic invites find it idle, a big one finds it busy from its second email on.
 */
let lastFoundBusy = false;

/**
 * The slot reserved (epoch ms), or how long to wait before asking again: the schedule is booked beyond the horizon,
 * or another sender restarted an idle schedule at the same moment (then the next try takes the slot after theirs).
 */
async function reserve(
  deps: SendRateDeps,
  now: number,
  interval: number,
): Promise<number | { waitMs: number }> {
  const first = lastFoundBusy ? takeNext : restart;
  const second = lastFoundBusy ? restart : takeNext;
  for (const attempt of [first, second]) {
    const slot = await attempt(deps, now, interval);
    if (slot === 'no') continue;
    if (typeof slot === 'number') lastFoundBusy = attempt === takeNext;
    return slot;
  }
  return { waitMs: 1 }; // it changed between the two writes: read the clock and try again
}

const common = (deps: SendRateDeps) => ({
  TableName: deps.table,
  Key: keys.outboxSendRate(),
  ExpressionAttributeNames: { '#next': 'next_at', '#ttl': TABLE.ttlAttribute },
});

/** The schedule runs ahead of now (but within the horizon): take its next slot. */
async function takeNext(
  deps: SendRateDeps,
  now: number,
  interval: number,
): Promise<number | { waitMs: number } | 'no'> {
  try {
    const out = await deps.db.send(
      new UpdateCommand({
        ...common(deps),
        UpdateExpression: 'SET #next = #next + :interval, #ttl = :ttl',
        ConditionExpression: '#next >= :now AND #next <= :horizon',
        ExpressionAttributeValues: {
          ':interval': interval,
          ':now': now,
          ':horizon': now + HORIZON_MS,
          ':ttl': ttl(now),
        },
        ReturnValues: 'UPDATED_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const slot = Number(out.Attributes?.next_at);
    return Number.isFinite(slot) ? slot : 'no';
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    const next = (e as { Item?: Record<string, { N?: string }> }).Item?.next_at?.N;
    // Not idle, so the slot is beyond the horizon (compared as DynamoDB compares, in decimal: close to the horizon a
    // double may round the other way, hence at least 1 ms).
    if (next !== undefined && Number(next) >= now)
      return { waitMs: Math.max(1, Math.ceil(Number(next) - HORIZON_MS - now)) };
    return 'no';
  }
}

/** The schedule is idle (or was never used): it starts again at now, and this caller takes that slot. */
async function restart(deps: SendRateDeps, now: number, interval: number): Promise<number | 'no'> {
  try {
    await deps.db.send(
      new UpdateCommand({
        ...common(deps),
        UpdateExpression: 'SET #next = :after, entity = :entity, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#next) OR #next < :now',
        ExpressionAttributeValues: {
          ':after': now + interval,
          ':now': now,
          ':entity': ENTITY.outboxSendRate,
          ':ttl': ttl(now),
        },
      }),
    );
    return now;
  } catch (e) {
    if (!isConditionFailure(e)) throw e;
    return 'no';
  }
}
