/**
 * Per-file local stack for integration tests: a fresh, uniquely named table on the shared DynamoDB Local, the shared
 * local SES, a local Step Functions endpoint and the gateway, all in this worker. Tests call the API over HTTP.
 *
 * Stage mode (`API_URL` set, see `stage.ts`): nothing starts; the same suites call a deployed stage, and what only the
 * local runtime has (the mailbox, the outbox poller, fault injection, the provider's key) skips the test that needs it,
 * with the reason, through `api.requires`.
 */

import { randomBytes } from 'node:crypto';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, expect, inject } from 'vitest';
import { executionArnOf } from '../../local/arns.ts';
import { durationSeconds, requestDevToken, type TokenOptions } from '../../local/jwt.ts';
import { type CapturedEmail, readMailbox } from '../../local/ses.ts';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.ts';
import { assertMatchesOpenApi } from './openapi.ts';
import {
  type Capability,
  localOnlyStack,
  type Stage,
  skipHere,
  stage,
  stageCannot,
  stageInvitationToken,
  stageToken,
} from './stage.ts';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  text: string;
}

export interface TestApi {
  /** In stage mode only `apiUrl`, `tableName` and `stateMachineArn` are there; anything else skips the test. */
  stack: LocalStack;
  /** The deployed stage the suites run against, or undefined for the local stack. */
  stage: Stage | undefined;
  /** Skips the running test in stage mode when the stage cannot give `capability` (the reason is reported). */
  requires(capability: Capability, detail?: string): void;
  /** The user id (`sub`) the identity provider gives this address: the `sub` of its token. */
  userId(email: string): Promise<string>;
  /** The invitation token an address was sent last: from the mailbox locally, from the table on a stage. */
  invitationToken(address: string): Promise<string>;
  /** A unique address per test run, so tests never see each other's mail or users. */
  email(local: string): string;
  token(email: string, opts?: TokenOptions): Promise<string>;
  call<T = any>(
    method: string,
    path: string,
    opts?: {
      as?: string;
      token?: string;
      body?: unknown;
      /** Sent as is: a string as UTF-8, bytes (a Buffer) unchanged. */
      raw?: string | Uint8Array;
      headers?: Record<string, string>;
    },
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

export interface UseStackOptions extends Partial<LocalStackOptions> {
  /**
   * Why this file can only run against the local stack (it holds requests in the in-process handlers' clients,
   * injects faults, plants broken items…). In stage mode every test in the file is skipped with this reason.
   */
  localOnly?: string;
}

export function useStack({ localOnly, ...options }: UseStackOptions = {}): TestApi {
  const run = randomBytes(4).toString('hex');
  const api = { run, stage } as unknown as TestApi & { run: string };
  api.requires = (capability, detail) => {
    if (stage) {
      const why = stageCannot(stage, capability);
      if (why) skipHere(detail ? `${why}: ${detail}` : why);
    }
  };
  api.userId = async (email) => {
    const payload = (await api.token(email)).split('.')[1] ?? '';
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sub as string;
  };
  api.email = (local) => (stage ? stage.email(`${local}.${run}`) : `${local}.${run}@example.com`);
  if (stage) {
    useStage(api as TestApi & { run: string }, stage, localOnly);
    return api;
  }
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
              executionArn: executionArnOf(api.stack.stateMachineArn, id),
            }),
          )
        ).status === 'RUNNING',
    });
  };
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
  api.call = call(api);
  api.outboxIdle = () => api.stack.outbox.idle();
  api.mailTo = async (address) => {
    // Emails leave through the outbox after the commit: what was written so far must have been handled first.
    await api.outboxIdle();
    return (await readMailbox(api.stack.sesEndpoint)).filter((m) =>
      m.destination.to.some((t) => t.toLowerCase() === address.toLowerCase()),
    );
  };
  api.invitationToken = invitationTokenFromMail(api);
  return api;
}

/** The invitation token in the last email `api.mailTo` finds for an address. */
export const invitationTokenFromMail =
  (api: TestApi): TestApi['invitationToken'] =>
  async (address) => {
    const last = (await api.mailTo(address)).at(-1);
    const m = last?.body.text?.match(/\/invitations\/([A-Za-z0-9_-]+)/);
    if (!m?.[1]) throw new Error(`no invitation link mailed to ${address}`);
    return m[1];
  };

/** The same suite against a deployed stage: nothing starts; tokens come from the stage's command. */
function useStage(api: TestApi & { run: string }, s: Stage, localOnly: string | undefined): void {
  if (localOnly) {
    beforeEach((ctx) => ctx.skip(`local stack only: ${localOnly}`));
    return;
  }
  api.stack = localOnlyStack(s);
  api.sfn = () => new SFNClient({});
  api.violations = async () => {
    const sfn = api.sfn();
    const { dynamo } = await import('../../functions/shared/clients.ts');
    const { checkInvariants } = await import('../../functions/shared/invariants.ts');
    return checkInvariants(dynamo, s.tableName, {
      executionIsRunning: async (id) =>
        (
          await sfn.send(
            new DescribeExecutionCommand({ executionArn: executionArnOf(s.stateMachineArn, id) }),
          )
        ).status === 'RUNNING',
    });
  };
  afterAll(async () => {
    // The stage's table is shared by every file (stage mode runs files one at a time): it must hold afterwards too.
    expect(await api.violations()).toEqual([]);
  });
  const tokens = new Map<string, Promise<string>>();
  api.token = (email, opts = {}) => {
    const why = stageCannot(s, ...tokenNeeds(opts));
    if (why) skipHere(why);
    const key = JSON.stringify([email, opts]);
    const lifetime = opts.expiresIn ? durationSeconds(opts.expiresIn) : undefined;
    // A token per address and options for the file (a stage's commands are slower than the local grant);
    // short-lived ones are asked for each time.
    let cached = tokens.get(key);
    if (!cached || (lifetime !== undefined && lifetime < 3600)) {
      cached = stageToken(s, email, opts);
      tokens.set(key, cached);
    }
    return cached;
  };
  api.call = call(api);
  api.outboxIdle = async () => skipHere(stageCannot(s, 'outbox')!);
  api.mailTo = async () => skipHere(stageCannot(s, 'mailbox')!);
  api.invitationToken = (address) => stageInvitationToken(s, address);
}

function tokenNeeds(opts: TokenOptions): Capability[] {
  const needs: Capability[] = [];
  if (opts.sub !== undefined) needs.push('token:sub');
  if (opts.emailVerified === false) needs.push('token:unverified');
  if (opts.operator) needs.push('token:operator');
  if (opts.expiresIn !== undefined) needs.push('token:expires');
  if (opts.name !== undefined) needs.push('token:name');
  return needs;
}

export function call(api: TestApi): TestApi['call'] {
  return async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token ?? (opts.as ? await api.token(opts.as) : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | Uint8Array | undefined = opts.raw;
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
}
