/**
 * `POST /api/v1/migrations/{id}/_cancel`: before leaving it rolls back as a failure would; after leaving it stops the
 * execution and keeps every snapshot for `_restore`. The cancel and the leave step claim the migration against each
 * other in DynamoDB, so exactly one wins; the races are forced with held requests (test/support/interleave.ts).
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { invite } from '../support/factories.ts';
import { type Hold, setsOnMigration, startsStep, useInterleaving } from '../support/interleave.ts';
import {
  acceptFromMail,
  assertNothingLost,
  describeExecution,
  executionEnded,
  finished,
  scene,
  start,
  waitFor,
  waitingForAcceptance,
} from '../support/migration.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  localOnly:
    'holds requests in the DynamoDB client of the handlers running in this process (test/support/interleave.ts)',
});
const { hold } = useInterleaving();

const cancel = (id: string, as: string) => api.call('POST', `/api/v1/migrations/${id}/_cancel`, { as });

/** `npm run executions` against this file's Step Functions endpoint, as an operator runs it. */
async function executions(...args: string[]): Promise<string> {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    tsx,
    'local/executions.ts',
    ...args,
    '--endpoint',
    api.stack.sfnEndpoint,
    '--state-machine',
    api.stack.stateMachineArn,
  ]);
  return stdout;
}

/** The JSON log lines the handlers running in this process write while logging is on (Powertools writes to stdout). */
function captureLogs(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const write = (chunk: unknown) => {
    for (const l of String(chunk).split('\n')) {
      try {
        lines.push(JSON.parse(l));
      } catch {
        // not a log line
      }
    }
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(write);
  vi.spyOn(process.stderr, 'write').mockImplementation(write);
  process.env.LOG_LEVEL = 'info';
  return lines;
}
afterEach(() => {
  vi.restoreAllMocks();
  process.env.LOG_LEVEL = 'silent';
});

describe('cancelling a migration', () => {
  it('before leaving: rolls back, the user stays where they were with every deployment, and the execution is not a failure', async () => {
    const s = await scene(api, 'early', 2);
    const logs = captureLogs();
    let answer: Awaited<ReturnType<typeof cancel>> | undefined;
    let id = '';
    // The user cancels as the workflow starts verifying the backups: that step rolls back instead.
    const h: Hold = {
      match: startsStep('Verify backups'),
      seen: 0,
      before: async () => {
        answer = await cancel(id, s.user);
      },
    };
    hold(h);
    id = await start(api, s);
    const m = await waitFor(api, s.user, id, finished);
    expect(h.seen).toBe(1);
    expect(answer?.status, answer?.text).toBe(202);
    expect(answer?.body.status).toBe('running'); // the rollback runs in the workflow
    expect(m.status).toBe('cancelled');
    expect(m.error).toBe('MigrationCancelled');
    expect(m.cause).toMatch(
      /You cancelled the migration before it left the source organization\. Nothing changed/,
    );
    expect(m.left_at).toBeUndefined();
    await assertNothingLost(api, s, m);
    const snaps = await api.call('GET', `/api/v1/users/me/snapshot-repositories/${s.repoId}/snapshots`, {
      as: s.user,
    });
    expect(snaps.body.snapshots.filter((x: any) => x.migration_id === id)).toEqual([]);
    // Cancelled wherever one looks: the API's current step and the step it stopped...
    expect(m.current_step).toBe('Migration cancelled');
    expect(m.history.find((v: { status: string }) => v.status === 'cancelled')).toMatchObject({
      step: 'Verify backups',
      error: expect.stringMatching(/^MigrationCancelled/),
    });
    expect(m.history.filter((v: { status: string }) => v.status === 'failed')).toEqual([]);
    // ...the execution's end state and output (SUCCEEDED: a cancel is no failure to alarm on)...
    await executionEnded(api, id);
    const d = await describeExecution(api, id);
    expect(d.status, `${d.error}: ${d.cause}`).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({
      migration_id: id,
      outcome: 'cancelled',
      error: 'MigrationCancelled',
      cause: m.cause,
    });
    const { events = [] } = await api
      .sfn()
      .send(new GetExecutionHistoryCommand({ executionArn: d.executionArn, reverseOrder: true }));
    expect(events.find((e) => e.type?.endsWith('StateEntered'))?.stateEnteredEventDetails?.name).toBe(
      'Migration cancelled',
    );
    // ...`npm run executions`...
    const row = (await executions()).split('\n').find((l) => l.endsWith(id));
    expect(row).toMatch(/SUCCEEDED\s+cancelled\s+Migration cancelled\s+/);
    expect(await executions(id)).toMatch(new RegExp(`^${id}: SUCCEEDED, cancelled\n`));
    // ...and the log: a person's choice at INFO, no ERROR for this migration.
    const mine = logs.filter((l) => l.migration === id);
    expect(mine.map((l) => [l.level, l.message])).toEqual(
      expect.arrayContaining([
        ['INFO', 'migration cancel requested: the workflow rolls back'],
        ['INFO', 'migration step stopped: the user cancelled'],
      ]),
    );
    expect(mine.filter((l) => l.level === 'ERROR' || l.level === 'WARN')).toEqual([]);
    vi.restoreAllMocks();
    process.env.LOG_LEVEL = 'silent';

    expect((await cancel(id, s.user)).body.errors[0].code).toBe('migration.cancel_not_possible');
    // The lock and the invitation's binding were released: the user can start again.
    expect(
      (
        await api.call('POST', '/api/v1/migrations', {
          as: s.user,
          body: { target_organization_id: s.target.orgId, repository_id: s.repoId },
        })
      ).status,
    ).toBe(201);
  });

  it('a cancel landing between the leave step’s read and its claim wins: nothing is left', async () => {
    const s = await scene(api, 'claim', 1);
    let id = '';
    let answer: Awaited<ReturnType<typeof cancel>> | undefined;
    const h: Hold = {
      match: setsOnMigration('leaving_at'),
      seen: 0,
      before: async () => {
        answer = await cancel(id, s.user);
      },
    };
    hold(h);
    id = await start(api, s);
    // Wait for the held claim and the cancel first (a loaded machine can take a while), then for the rollback.
    for (let t = 0; t < 600 && !answer; t++) await new Promise((r) => setTimeout(r, 100));
    expect(h.seen).toBe(1);
    expect(answer?.status, answer?.text).toBe(202);
    const m = await waitFor(api, s.user, id, finished, 60_000);
    expect(m.status, JSON.stringify(m)).toBe('cancelled');
    expect(m.left_at).toBeUndefined();
    await assertNothingLost(api, s, m);
  }, 150_000);

  it('after accepting: a cancel that claims the migration before the restore does stops it, and nothing is restored', async () => {
    const s = await scene(api, 'race-restore', 1); // one restore task: the held claim is the only one
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    let answer: Awaited<ReturnType<typeof cancel>> | undefined;
    const h: Hold = {
      match: setsOnMigration('restoring_at'), // the first restore task's claim, held
      seen: 0,
      before: async () => {
        answer = await cancel(id, s.user);
      },
    };
    hold(h);
    await acceptFromMail(api, s.user);
    for (let t = 0; t < 600 && !answer; t++) await new Promise((r) => setTimeout(r, 100));
    expect(h.seen).toBe(1);
    expect(answer?.status, answer?.text).toBe(202);
    const m = await waitFor(api, s.user, id, finished, 60_000);
    expect(m.status, JSON.stringify(m)).toBe('cancelled');
    const inTarget = await api.call('GET', `/api/v1/organizations/${s.target.orgId}/deployments`, {
      as: s.target.admin,
    });
    expect(inTarget.body.deployments).toEqual([]); // the held restore lost its claim: nothing half-restored
    await assertNothingLost(api, s, m);
  }, 150_000);

  it('after accepting: once the restore has begun, a cancel is refused and the move finishes', async () => {
    const s = await scene(api, 'restoring', 2);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    // The restore's first claim, as it lands once the invitation is accepted (planted, so the cancel comes after it).
    await dynamo.send(
      new UpdateCommand({
        TableName: api.stack.tableName,
        Key: { pk: `MIGRATION#${id}`, sk: 'MIGRATION' },
        UpdateExpression: 'SET restoring_at = :now',
        ExpressionAttributeValues: { ':now': new Date().toISOString() },
      }),
    );
    const refused = await cancel(id, s.user);
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.errors[0]).toMatchObject({
      code: 'migration.cancel_not_possible',
      message: expect.stringContaining('the restore into the target organization has begun'),
    });
    await acceptFromMail(api, s.user);
    const m = await waitFor(api, s.user, id, finished, 60_000);
    expect(m.status, JSON.stringify(m)).toBe('succeeded');
    await assertNothingLost(api, s, m);
  }, 150_000);

  it('after leaving: stops the execution, keeps the snapshots, and a later _restore brings everything to the target', async () => {
    const s = await scene(api, 'late', 2);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    const logs = captureLogs();
    const res = await cancel(id, s.user);
    vi.restoreAllMocks();
    process.env.LOG_LEVEL = 'silent';
    expect(logs.filter((l) => l.migration === id).map((l) => [l.level, l.message])).toEqual([
      ['INFO', 'migration cancelled after leaving: execution stopped, snapshots kept'],
    ]);
    expect(res.status, res.text).toBe(202);
    expect(res.body.status).toBe('cancelled');
    expect(res.body.cause).toMatch(/after it left the source organization.*2 snapshot\(s\) are intact/);
    await executionEnded(api, id);
    expect(await describeExecution(api, id)).toMatchObject({
      status: 'ABORTED',
      error: 'MigrationCancelled',
    });
    const row = (await executions()).split('\n').find((l) => l.endsWith(id));
    expect(row).toMatch(/ABORTED\s+cancelled\s+Wait for invitation acceptance\s+/);
    const m = (await api.call('GET', `/api/v1/migrations/${id}`, { as: s.user })).body;
    expect(m.current_step).toBe('Migration cancelled');
    expect(m.history.find((v: { step: string }) => v.step === 'Wait for invitation acceptance').status).toBe(
      'cancelled',
    );
    await assertNothingLost(api, s, m);
    // A repeated cancel says it is already cancelled; nothing changes.
    const again = await cancel(id, s.user);
    expect(again.status).toBe(400);
    expect(again.body.errors[0].message).toMatch(/already cancelled/);

    // Later the user accepts (the invitation is still bound to them) and restores.
    await acceptFromMail(api, s.user);
    const restored = await api.call('POST', `/api/v1/migrations/${id}/_restore`, { as: s.user });
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body.status).toBe('succeeded');
    await assertNothingLost(api, s, restored.body);
    // What came over says so (the console labels its time "Restored"), naming only its old id.
    const brought = await api.call('GET', `/api/v1/organizations/${s.target.orgId}/deployments`, {
      as: s.user,
    });
    const deployment = s.resources.find((r) => r.kind === 'deployments')!;
    expect(brought.body.deployments.map((d: { restored_from?: unknown }) => d.restored_from)).toEqual([
      { source_id: deployment.id },
    ]);
  });

  it('is only for the migrating user, and only while running', async () => {
    const s = await scene(api, 'owner', -1);
    const id = await start(api, s);
    const other = await cancel(id, s.target.admin);
    expect(other.status).toBe(404);
    expect(other.body.errors[0].code).toBe('migration.not_found');
    await waitFor(api, s.user, id, waitingForAcceptance);
    await acceptFromMail(api, s.user);
    expect((await waitFor(api, s.user, id, finished)).status).toBe('succeeded');
    const late = await cancel(id, s.user);
    expect(late.status).toBe(400);
    expect(late.body.errors[0]).toMatchObject({
      code: 'migration.cancel_not_possible',
      message: expect.stringMatching(/already succeeded/),
    });
  });

  it('a user who joined another organization during the wait can cancel', async () => {
    const s = await scene(api, 'joined', -1);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    // Someone else's organization invites the mover, who joins it instead.
    const elsewhere = await api.call('POST', '/api/v1/organizations', {
      as: api.email('elsewhere-admin'),
      body: { name: 'Elsewhere' },
    });
    await invite(api, { orgId: elsewhere.body.id, admin: api.email('elsewhere-admin') }, [s.user]);
    const mails = await api.mailTo(s.user);
    const token = mails
      .map((mail) => mail.body.text?.match(/\/invitations\/([A-Za-z0-9_-]+)/)?.[1])
      .filter(Boolean)
      .at(-1);
    const joined = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, {
      as: s.user,
    });
    expect(joined.status, joined.text).toBe(200);
    const res = await cancel(id, s.user);
    // The outbox may already have ended the migration for joining elsewhere; either way it is over and says why.
    expect([202, 400]).toContain(res.status);
    const m = await waitFor(api, s.user, id, finished);
    expect(['cancelled', 'failed']).toContain(m.status);
  });
});
