/**
 * Stage mode: the integration suites against a deployed stage instead of the local stack, configured from the
 * environment (see docs/testing.md, "Against a deployed stage"). Only what a deployed stage really offers is used: its API over HTTPS, its table
 * and state machine through the standard AWS settings (for the invariant checker and the suites' reads), and a
 * command the operator provides that prints an access token for an address. What only the local runtime has skips
 * the test that needs it, with the reason: vitest reports it as skipped, never as passed.
 */
import { spawn } from 'node:child_process';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { TestRunner } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { ENTITY } from '../../functions/shared/table.ts';
import type { TokenOptions } from '../../local/jwt.ts';
import type { LocalStack } from '../../local/stack.ts';

/** What a token command may be able to give besides a plain token for an address (`TEST_TOKEN_FEATURES`). */
const TOKEN_FEATURES = ['name', 'unverified', 'operator', 'expires', 'sub'] as const;
type TokenFeature = (typeof TOKEN_FEATURES)[number];

export type Capability = 'mailbox' | 'outbox' | 'local-runtime' | `token:${TokenFeature}`;

export interface Stage {
  /** The API's origin (the stack's `ApiUrl` output); routes are under `/api/v1`. */
  apiUrl: string;
  tableName: string;
  stateMachineArn: string;
  /** Shell command printing an access token; given `<email>` and the flags of `npm run token`. */
  tokenCommand: string;
  tokenFeatures: Set<TokenFeature>;
  /** A test address for an id (`TEST_EMAIL`, `{id}` replaced). */
  email(id: string): string;
}

const REQUIRED = ['API_URL', 'TABLE_NAME', 'STATE_MACHINE_ARN', 'TEST_TOKEN_COMMAND'] as const;

/** The stage from the environment, or undefined when `API_URL` is not set (the local stack). */
export function stageFromEnv(env: NodeJS.ProcessEnv = process.env): Stage | undefined {
  if (!env.API_URL) return undefined;
  const missing = REQUIRED.filter((k) => !env[k]);
  if (missing.length)
    throw new Error(
      `Stage mode (API_URL is set) also needs ${missing.join(', ')}: see docs/testing.md, "Against a deployed stage".`,
    );
  if (!env.AWS_REGION && !env.AWS_DEFAULT_REGION)
    throw new Error("Stage mode needs AWS_REGION (the stage's region) for the table and state machine.");
  const features = (env.TEST_TOKEN_FEATURES ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  const unknown = features.filter((f) => !(TOKEN_FEATURES as readonly string[]).includes(f));
  if (unknown.length)
    throw new Error(
      `TEST_TOKEN_FEATURES: unknown ${unknown.join(', ')}; known: ${TOKEN_FEATURES.join(', ')}.`,
    );
  const template = env.TEST_EMAIL ?? '{id}@example.com';
  if (!template.includes('{id}') || !template.includes('@'))
    throw new Error(
      `TEST_EMAIL must be an address with {id} in it, e.g. success+{id}@simulator.amazonses.com.`,
    );
  return {
    apiUrl: env.API_URL.replace(/\/+$/, ''),
    tableName: env.TABLE_NAME!,
    stateMachineArn: env.STATE_MACHINE_ARN!,
    tokenCommand: env.TEST_TOKEN_COMMAND!,
    tokenFeatures: new Set(features as TokenFeature[]),
    email: (id) => template.replace('{id}', id).toLowerCase(),
  };
}

export const stage = stageFromEnv();

/** Why the stage cannot give these capabilities, or undefined when it can. */
export function stageCannot(s: Stage, ...needs: Capability[]): string | undefined {
  for (const need of needs) {
    if (need === 'mailbox')
      return 'stage mode: reads the mailbox, and a deployed stage sends through real SES (check email_status instead)';
    if (need === 'outbox')
      return 'stage mode: waits for the local outbox poller, which a deployed stage runs inside Lambda';
    if (need === 'local-runtime')
      return "stage mode: uses the local runtime (fault injection, the provider's key or endpoints a stage does not have)";
    const feature = need.slice('token:'.length) as TokenFeature;
    if (!s.tokenFeatures.has(feature))
      return `stage mode: needs a token with ${feature === 'unverified' ? 'an unverified address' : `--${feature}`}, which TEST_TOKEN_FEATURES does not list for TEST_TOKEN_COMMAND`;
  }
  return undefined;
}

/** Skips the running test with `why`; outside a test (a hook, collection) it is an error, so nothing passes by it. */
export function skipHere(why: string): never {
  const test = TestRunner.getCurrentTest();
  if (!test) throw new Error(why);
  return test.context.skip(why);
}

/**
 * `api.stack` on a stage: the three things a stage has; any other field is the local runtime's, so reading it skips
 * the test (the faults of the local Step Functions, the provider's key, the mailbox's endpoint…).
 */
export function localOnlyStack(s: Stage): LocalStack {
  const known: Record<string, string> = {
    apiUrl: s.apiUrl,
    tableName: s.tableName,
    stateMachineArn: s.stateMachineArn,
  };
  return new Proxy(known, {
    get: (target, prop) => {
      if (typeof prop === 'string' && prop in target) return target[prop];
      if (prop === 'then' || typeof prop === 'symbol') return undefined;
      return skipHere(`${stageCannot(s, 'local-runtime')} (api.stack.${prop})`);
    },
  }) as unknown as LocalStack;
}

/** Runs the stage's token command for an address with the options as `npm run token` flags. */
export function stageToken(s: Stage, email: string, opts: TokenOptions): Promise<string> {
  const args = [email];
  if (opts.name !== undefined) args.push(`--name=${opts.name}`);
  if (opts.emailVerified === false) args.push('--unverified');
  if (opts.operator) args.push('--operator');
  // One argument, so a negative span (`-1m`, an expired token) is not read as an option.
  if (opts.expiresIn !== undefined) args.push(`--expires=${opts.expiresIn}`);
  if (opts.sub !== undefined) args.push(`--sub=${opts.sub}`);
  // The arguments go to the shell as positional parameters, never spliced into the command text.
  const child = spawn('sh', ['-c', `${s.tokenCommand} "$@"`, 'token-command', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const token = out.trim().split('\n').at(-1)?.trim() ?? '';
      if (code === 0 && /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) resolve(token);
      else
        reject(
          new Error(
            `TEST_TOKEN_COMMAND for ${email} exited ${code} without printing a JWT: ${err.trim().slice(0, 500)}`,
          ),
        );
    });
  });
}

/**
 * The token of the newest invitation to an address, as the service stored it: on a stage the email went through real
 * SES, so the test reads the table (with the same read access the invariant checker has) instead of the mailbox.
 */
export async function stageInvitationToken(s: Stage, address: string): Promise<string> {
  const found: { token: string; created_at: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({
        TableName: s.tableName,
        FilterExpression: '#e = :invitation AND email = :email',
        ExpressionAttributeNames: { '#e': 'entity', '#t': 'token' },
        ExpressionAttributeValues: { ':invitation': ENTITY.invitation, ':email': address.toLowerCase() },
        ProjectionExpression: '#t, created_at',
        ExclusiveStartKey: start,
      }),
    );
    found.push(...((page.Items ?? []) as typeof found));
    start = page.LastEvaluatedKey;
  } while (start);
  const newest = found.sort((a, b) => a.created_at.localeCompare(b.created_at)).at(-1);
  if (!newest) throw new Error(`no invitation to ${address} in ${s.tableName}`);
  return newest.token;
}
