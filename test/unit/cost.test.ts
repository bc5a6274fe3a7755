/** The bench's pricing (bench/cost.ts): hand-computed examples at the list prices, so a wrong formula fails. */
import { describe, expect, it } from 'vitest';
import { costOf, monthlyCost, NO_USAGE, outboxUsage, type Usage } from '../../bench/cost.ts';
import { PRICES } from '../../bench/prices.ts';

// An accept: 2.5 RRU, 10 WRU, one 512 MB invocation of 9.3 ms (billed 10 ms), one HTTP API request.
const accept: Usage = {
  ...NO_USAGE,
  readUnits: 2.5,
  writeUnits: 10,
  lambdaMs: [9.3],
  memoryMb: 512,
  apiRequests: 1,
};

describe('costOf', () => {
  it('prices an API operation: request units, GB-seconds at 1 ms granularity, the two request charges', () => {
    const c = costOf(accept);
    // 2.5 x $0.125/M + 10 x $0.625/M = $0.0000003125 + $0.00000625
    expect(c.dynamodb).toBeCloseTo(0.0000065625, 12);
    // 0.010 s x 0.5 GB x $0.0000133334 + $0.20/M = $0.000000066667 + $0.0000002
    expect(c.lambda).toBeCloseTo(0.000000266667, 12);
    expect(c.apiGateway).toBeCloseTo(0.000001, 12);
    expect(c.stepFunctions).toBe(0);
    expect(c.ses).toBe(0);
    expect(c.total).toBeCloseTo(0.000007829167, 12);
  });

  it('prices a migration: transitions, every invocation rounded up on its own, emails, logs', () => {
    const c = costOf({
      ...NO_USAGE,
      transitions: 15,
      // 4 + 1 + 1 = 6 ms billed (rounding the sum instead would bill 5)
      lambdaMs: [3.2, 0.5, 0.5],
      memoryMb: 1024,
      emails: 2,
      logBytes: 1024 ** 3 / 100,
    });
    expect(c.stepFunctions).toBeCloseTo(0.000375, 12); // 15 x $0.025/1000
    expect(c.lambda).toBeCloseTo(0.006 * 0.0000133334 + 3 * 0.0000002, 12); // 0.006 GB-s, 3 requests
    expect(c.ses).toBeCloseTo(0.0002, 12); // 2 x $0.10/1000
    expect(c.logs).toBeCloseTo(0.005, 12); // 0.01 GB x $0.50
    // $0.000375 + $0.00000068 + $0.0002 + $0.005
    expect(c.total).toBeCloseTo(0.00557568, 10);
  });

  it('prices an SSO sign-in: four bridge requests and two KMS Sign calls (RSA 2048, $0.03 per 10,000)', () => {
    const c = costOf({ ...NO_USAGE, lambdaMs: [1, 1, 1, 1], memoryMb: 1024, apiRequests: 4, kmsSigns: 2 });
    expect(c.kms).toBeCloseTo(0.000006, 12); // 2 x $0.03/10,000
    expect(c.apiGateway).toBeCloseTo(0.000004, 12);
    // 0.004 GB-s x $0.0000133334 + 4 x $0.20/M
    expect(c.total).toBeCloseTo(0.000006 + 0.000004 + 0.004 * 0.0000133334 + 0.0000008, 12);
  });

  it('reads the prices it is given', () => {
    const doubled = { ...PRICES, apiGateway: { perHttpRequest: 2 / 1e6 } };
    expect(costOf(accept, doubled).apiGateway).toBeCloseTo(0.000002, 12);
  });
});

describe('monthlyCost', () => {
  it('multiplies each operation by its monthly count and adds the fixed items', () => {
    const m = monthlyCost(
      [
        { label: 'accept', count: 1_000_000, usage: accept },
        { label: 'email', count: 1000, usage: { ...NO_USAGE, emails: 1 } },
      ],
      { alarms: 57, dashboards: 1, kmsKeys: 1 },
    );
    expect(m.lines.map((l) => l.cost)).toEqual([expect.closeTo(7.829167, 5), expect.closeTo(0.1, 9)]);
    // 57 x $0.10 + $3 + $1
    expect(m.fixed.reduce((s, f) => s + f.cost, 0)).toBeCloseTo(9.7, 9);
    expect(m.total).toBeCloseTo(7.829167 + 0.1 + 9.7, 5);
  });
});

describe('outboxUsage', () => {
  it('bills one invocation per batch, each as long as its emails, and every email once', () => {
    const u = outboxUsage(30, { readUnits: 1, writeUnits: 2, ms: 70 }, 25, 512);
    expect(u.lambdaMs).toEqual([25 * 70, 5 * 70]);
    expect(u).toMatchObject({ readUnits: 30, writeUnits: 60, emails: 30, memoryMb: 512 });
    // 2.1 s x 0.5 GB x $0.0000133334 + 2 x $0.20/M + 30 x $0.10/1000 + 30 x $0.125/M + 60 x $0.625/M
    expect(costOf(u).total).toBeCloseTo(0.0000140001 + 0.0000004 + 0.003 + 0.00000375 + 0.0000375, 10);
  });
});
