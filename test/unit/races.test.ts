import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cancellationReasons, conditionsFailed, inParts, transact } from '../../functions/shared/db.ts';
import { isLostRace, retryLostRace } from '../../functions/shared/races.ts';

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const put = (sk: string) => ({ Put: { TableName: 't', Item: { pk: 'p', sk } } });

describe('transact: named items', () => {
  it('says which named items failed their condition, in the order they were given', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed', 'None'));
    const e = await transact(db, { bill: put('a'), organizationCount: put('b'), other: put('c') }).catch(
      (x: unknown) => x,
    );
    expect(conditionsFailed(e)).toEqual(new Set(['organizationCount']));
    expect(cancellationReasons(e)).toEqual(
      new Map([
        ['bill', 'None'],
        ['organizationCount', 'ConditionalCheckFailed'],
        ['other', 'None'],
      ]),
    );
    // The items were sent in that order, so the names match DynamoDB's reasons.
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems).toEqual([
      put('a'),
      put('b'),
      put('c'),
    ]);
  });

  it('is not "conditions failed" when any item lost to a conflict or throttling', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'TransactionConflict'));
    const e = await transact(db, { a: put('a'), b: put('b') }).catch((x: unknown) => x);
    expect(conditionsFailed(e)).toBeUndefined();
    expect(isLostRace(e)).toBe(true);
    ddb.on(TransactWriteCommand).rejects(cancelled('ThrottlingError', 'None'));
    const throttled = await transact(db, { a: put('a'), b: put('b') }).catch((x: unknown) => x);
    expect(isLostRace(throttled)).toBe(false);
  });
});

describe('retryLostRace', () => {
  const lost = () => Object.assign(new Error('lost'), { name: 'ConditionalCheckFailedException' });

  it('runs again after each lost race until it wins', async () => {
    const attempt = vi.fn(async (n: number) => {
      if (n < 2) throw lost();
      return 'won';
    });
    await expect(
      retryLostRace({ attempts: 5, exhausted: () => new Error('gave up') }, attempt),
    ).resolves.toBe('won');
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it("gives up with the caller's error after the last lost race", async () => {
    const attempt = vi.fn(async () => {
      throw lost();
    });
    await expect(
      retryLostRace({ attempts: 3, exhausted: () => new Error('kept changing') }, attempt),
    ).rejects.toThrow('kept changing');
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  it('passes any other error through at once, without running again', async () => {
    const attempt = vi.fn(async () => {
      throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    });
    await expect(retryLostRace({ attempts: 5, exhausted: () => new Error('x') }, attempt)).rejects.toThrow(
      'slow down',
    );
    expect(attempt).toHaveBeenCalledTimes(1);
  });
});

describe('inParts: a write too large for one transaction', () => {
  const check = {
    caller: { ConditionCheck: { TableName: 't', Key: { pk: 'a', sk: 'b' }, ConditionExpression: 'x' } },
  };
  const put = (i: number) => ({
    [`item:${i}`]: { Put: { TableName: 't', Item: { pk: 'p', sk: String(i) } } },
  });

  it('fits 99 groups beside the caller check in one part, and the 100th in a second, each part with the check', () => {
    // Prepare
    const groups = Array.from({ length: 100 }, (_, i) => put(i));
    // Act
    const parts = inParts(check, groups);
    // Assess
    expect(parts.map((p) => Object.keys(p).length)).toEqual([100, 2]);
    for (const p of parts) expect(p.caller).toBe(check.caller);
    expect(Object.keys(parts[1]!)).toEqual(['item:99', 'caller']);
  });

  it('keeps a group whole and in order, and writes nothing for no groups', () => {
    const pairs = Array.from({ length: 50 }, (_, i) => ({ ...put(i), [`check:${i}`]: check.caller }));
    const parts = inParts(check, pairs);
    expect(parts.map((p) => Object.keys(p).length)).toEqual([99, 3]);
    expect(Object.keys(parts[1]!)).toEqual(['item:49', 'check:49', 'caller']);
    expect(inParts(check, [])).toEqual([]);
  });
});
