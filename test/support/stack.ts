/**
 * Per-file local stack for integration tests: a fresh, uniquely named table on the shared DynamoDB Local, the shared
 * local SES, a local Step Functions endpoint and the gateway, all in this worker. Tests call the API over HTTP.
 */

import { randomBytes } from 'node:crypto';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { executionArnOf } from '../../local/arns.ts';
import { durationSeconds, requestDevToken, type TokenOptions } from '../../local/jwt.ts';
import { type CapturedEmail, readMailbox } from '../../local/ses.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { stateMachineArnFor } from '../../local/stepfunctions.ts';
import { assertMatchesOpenApi } from './openapi.ts';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface TestApi {
  stack: LocalStack;
  /** A unique address per test run, so tests never see each other's mail or users. */
  email(local: string): string;
  token(email: string, opts?: TokenOptions): Promise<string>;
  call<T = any>(
    method: string,
    path: string,
    opts?: { as?: string; token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  /** The emails an address received, once the outbox has handled everything written so far. */
  mailTo(address: string): Promise<CapturedEmail[]>;
  /** Resolves once the outbox has handled every stream record written before the call. */
  outboxIdle(): Promise<void>;
  /** What the invariant checker finds in this file's table now (an empty list when all is well). */
  violations(): Promise<unknown[]>;
  /** A Step Functions client for this file's local endpoint. */
  sfn(): SFNClient;
}

export function useStack(options: Partial<LocalStackOptions> = {}): TestApi {
  const run = randomBytes(4).toString('hex');
  const api = { run } as unknown as TestApi & { run: string };
  beforeAll(async () => {
    api.stack = await startLocalStack({
      dynamoEndpoint: inject('dynamoEndpoint'),
      sesEndpoint: inject('sesEndpoint'),
      tableName: `test-${run}`,
      keyFile: `.local/test-oidc-signing-key.json`,
      // Faster than a new SES account's 14/s, so suites that invite many addresses do not wait on the rate.
      emailSendRatePerSecond: 50,
      ...options,
    });
  });
  afterAll(async () => {
    // Whatever a test file did, the service's invariants must still hold afterwards.
    if (api.stack) {
      const violations = await api.violations();
      await api.stack.stop();
      expect(violations).toEqual([]);
    }
  });
  api.sfn = () =>
    new SFNClient({
      endpoint: api.stack.sfnEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
  api.violations = async () => {
    const sfn = api.sfn();
    const { dynamo } = await import('../../functions/shared/clients.ts');
    const { checkInvariants } = await import('../../functions/shared/invariants.ts');
    return checkInvariants(dynamo, api.stack.tableName, {
      executionIsRunning: async (id) =>
        (
          await sfn.send(
            new DescribeExecutionCommand({
              executionArn: executionArnOf(stateMachineArnFor('migration'), id),
            }),
          )
        ).status === 'RUNNING',
    });
  };
  api.email = (local) => `${local}.${run}@example.com`;
  // Every token comes from the local provider (its dev-token grant). Tests ask for the same person's token thousands of
  // times (fuzz, concurrency): one per address and options is reused while it has more than 5 minutes left.
  const tokens = new Map<string, Promise<{ value: string; until: number }>>();
  api.token = async (email, opts = {}) => {
    const key = JSON.stringify([
      email,
      opts.sub,
      opts.emailVerified,
      opts.name,
      opts.operator,
      opts.expiresIn,
    ]);
    let cached = tokens.get(key);
    const now = Date.now();
    if (!cached || (await cached.catch(() => ({ until: 0 }))).until < now) {
      const lifetime = opts.expiresIn ? durationSeconds(opts.expiresIn) : undefined;
      cached = requestDevToken(api.stack.issuer, email, opts).then((value) => ({
        value,
        // Short-lived or already expired tokens are asked for each time.
        until: lifetime !== undefined && lifetime < 3600 ? 0 : now + 55 * 60 * 1000,
      }));
      tokens.set(key, cached);
    }
    return (await cached).value;
  };
  api.call = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token ?? (opts.as ? await api.token(opts.as) : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const url = new URL(`${api.stack.apiUrl}${path}`);
    const res = await fetch(url, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON (the HTML page)
    }
    const answer = { status: res.status, body: parsed as never, headers: res.headers, text };
    // Every answer any suite receives must be one the OpenAPI document promises.
    assertMatchesOpenApi(method, url, answer);
    return answer;
  };
  api.outboxIdle = () => api.stack.outbox.idle();
  api.mailTo = async (address) => {
    // Emails leave through the outbox after the commit: what was written so far must have been handled first.
    await api.outboxIdle();
    return (await readMailbox(api.stack.sesEndpoint)).filter((m) =>
      m.destination.to.some((t) => t.toLowerCase() === address.toLowerCase()),
    );
  };
  return api;
}
