/**
 * A crash, not a fault: the local runtime (gateway, outbox, Step Functions, and DynamoDB Local with it) is killed with
 * SIGKILL while the outbox is sending a 100-address invite and while a migration waits for its invitation to be
 * accepted. Started again on the same data, nothing is lost: every email is sent or recorded failed, the duplicates
 * are the few SES had taken when the process died (it has no idempotency key), and the migration resumes and ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEMS_IN_PARALLEL } from '../../functions/outbox/service.ts';
import { checkInvariants } from '../../functions/shared/invariants.ts';
import { executionArnOf } from '../../local/arns.ts';
import { requestDevToken } from '../../local/jwt.ts';
import { freePort } from '../../local/ports.ts';
import { type RunningSes, readMailbox, startSesLocal } from '../../local/ses.ts';
import { invite, orgWithAdmin, tokenFromMail } from '../support/factories.ts';
import {
  assertNothingLost,
  finished,
  scene,
  start,
  waitFor,
  waitingForAcceptance,
} from '../support/migration.ts';
import { call, invitationTokenFromMail, type TestApi } from '../support/stack.ts';
import { skipHere, stage } from '../support/stage.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const RATE = 20;

let ses: RunningSes;
let child: ChildProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'org-membership-crash-'));
const run = Date.now().toString(36);
let options: Record<string, unknown>;

/** The runtime, started as its own process group so that a kill takes DynamoDB Local (its child) down with it. */
async function startRuntime(): Promise<{ apiUrl: string; issuer: string }> {
  child = spawn(
    process.execPath,
    ['--import', TSX, join(ROOT, 'test/support/runtime-process.ts'), JSON.stringify(options)],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOG_LEVEL: 'silent' },
    },
  );
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (line.startsWith('{"ready"')) return JSON.parse(line);
  }
  throw new Error('the runtime process ended before it was ready');
}

function crash(): Promise<void> {
  const c = child!;
  return new Promise((ok) => {
    c.once('exit', () => ok());
    process.kill(-c.pid!, 'SIGKILL');
  });
}

const api = { email: (l: string) => `${l}.${run}@example.com` } as unknown as TestApi;
const tokens = new Map<string, Promise<string>>();
api.token = (email: string) => {
  const key = `${api.stack.issuer} ${email}`;
  if (!tokens.has(key)) tokens.set(key, requestDevToken(api.stack.issuer, email));
  return tokens.get(key)!;
};
api.call = call(api);
api.mailTo = async (address: string) =>
  (await readMailbox(ses.endpoint)).filter((m) => m.destination.to.includes(address));
api.invitationToken = invitationTokenFromMail(api);

beforeAll(async () => {
  if (stage) return;
  ses = await startSesLocal(await freePort());
  options = {
    dataDir,
    sesEndpoint: ses.endpoint,
    tableName: `crash-${run}`,
    ports: {
      gateway: await freePort(),
      dynamodb: await freePort(),
      sfn: await freePort(),
      oidc: await freePort(),
    },
    emailSendRatePerSecond: RATE,
  };
  api.stack = { ...(await startRuntime()), sesEndpoint: ses.endpoint } as never;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) await crash();
  await ses?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a crash of the local runtime', () => {
  it('loses no email and no migration: both go on after a restart on the same data', async () => {
    if (stage) skipHere('kills the local runtime, which a stage does not have');
    // A migration that waits for its invitation to be accepted.
    const s = await scene(api, 'crash', 1);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    // A 100-address invite, killed while its emails go out.
    const org = await orgWithAdmin(api, 'crash-invite');
    const people = Array.from({ length: 100 }, (_, k) => api.email(`crash-${k}`));
    expect((await invite(api, org, people)).status).toBe(201);
    const wanted = new Set(people);
    const delivered = async () =>
      (await readMailbox(ses.endpoint)).filter((m) => wanted.has(m.destination.to[0] ?? ''));
    for (let i = 0; (await delivered()).length < 30; i++) {
      expect(i, 'the outbox started sending').toBeLessThan(400);
      await new Promise((r) => setTimeout(r, 25));
    }
    await crash();
    const beforeRestart = (await delivered()).length;
    expect(beforeRestart).toBeLessThan(100); // killed mid-way

    api.stack = { ...(await startRuntime()), sesEndpoint: ses.endpoint } as never;
    // Every invitation ends sent or failed (none stays queued), and every address got its email.
    for (let i = 0; ; i++) {
      const res = await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin });
      const rows = res.body.invitations as { email_status: string }[];
      if (rows.length === 100 && rows.every((r) => r.email_status === 'sent' || r.email_status === 'failed'))
        break;
      expect(i, 'every email sent or failed after the restart').toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 50));
    }
    const mails = await delivered();
    const perAddress = new Map<string, number>();
    for (const m of mails)
      perAddress.set(m.destination.to[0]!, (perAddress.get(m.destination.to[0]!) ?? 0) + 1);
    expect(people.filter((p) => !perAddress.has(p))).toEqual([]); // none lost
    const duplicates = mails.length - people.length;
    console.log(`crash test: ${beforeRestart} emails before the kill, ${duplicates} sent twice`);
    // Only emails SES had taken and not yet marked sent can go twice: at most the ones in flight at once.
    expect(duplicates).toBeLessThanOrEqual(ITEMS_IN_PARALLEL);

    // The migration resumed its wait: the accept now resumes it, and it ends with nothing lost.
    const accepted = await api.call(
      'POST',
      `/api/v1/organizations/invitations/${await tokenFromMail(api, s.user)}/_accept`,
      {
        as: s.user,
      },
    );
    expect(accepted.status, accepted.text).toBe(200);
    const m = await waitFor(api, s.user, id, finished, 30_000);
    expect(m.status, JSON.stringify(m)).toBe('succeeded');
    await assertNothingLost(api, s, m);
    // And the table the crash interrupted holds every invariant.
    const { dynamoEndpoint, sfnEndpoint, stateMachineArn } = api.stack as unknown as Record<string, string>;
    const local = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ ...local, endpoint: dynamoEndpoint }));
    const sfn = new SFNClient({ ...local, endpoint: sfnEndpoint });
    const violations = await checkInvariants(db, String(options.tableName), {
      executionIsRunning: async (execution) =>
        (
          await sfn.send(
            new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn!, execution) }),
          )
        ).status === 'RUNNING',
    });
    expect(violations).toEqual([]);
  }, 180_000);
});
