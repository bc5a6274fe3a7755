/**
 * 2. A migration end to end for 0, 1, 10 and 50 deployments: state transitions, Lambda invocations and time, units,
 * emails and cost. The workflow needs the outbox (it resumes the wait); the operations' invitations are not emailed:
 * the outbox goes on from the stream's end.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { OUTBOX_MAPPING } from '../functions/outbox/mapping.ts';
import { keys } from '../functions/shared/table.ts';
import { FUNCTION_MEMORY_MB } from '../infra/constructs/functions.ts';
import { executionArnOf } from '../local/arns.ts';
import { readMailbox } from '../local/ses.ts';
import { stateMachineArnFor } from '../local/stepfunctions.ts';
import { type Bench, dynamoOnly, pct, request } from './context.ts';
import { addUsage, costOf, NO_USAGE, outboxUsage, type Usage } from './cost.ts';
import { dollars } from './pricing.ts';
import { indexWriteUnits, record, writeUnits } from './record.ts';
import { LOG_BYTES } from './workload.ts';

/** Runs the migrations and prints their table; returns each one's usage by its number of deployments. */
export async function benchMigrations(b: Bench): Promise<Map<number, Usage>> {
  const sfn = new SFNClient({ endpoint: b.stack.sfnEndpoint });
  b.stack.outbox.skipToLatest();
  b.stack.outbox.resume();
  // The migration's own work is recorded in two windows (start to the wait, accept to the end); the bench watches the
  // migration item through a client of its own, so its polling is not counted. The accept is priced as an accept.
  const watcher = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: b.stack.dynamoEndpoint }));
  const WAIT_STEP = 'Wait for invitation acceptance';
  const migrationItem = async (id: string) =>
    (
      await watcher.send(
        new GetCommand({ TableName: b.stack.tableName, Key: keys.migration(id), ConsistentRead: true }),
      )
    ).Item as
      | { status: string; current_step: string; history?: { step: string; status: string }[] }
      | undefined;
  const migrationUsage = new Map<number, Usage>();
  console.log(
    '\n| deployments | state transitions | budget (15 + 4n) | Lambda invocations | Lambda time | read units | write units | emails | end to end | cost per migration |\n|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const n of b.smoke ? [0, 1] : [0, 1, 10, 50]) {
    const user = `migrant-${n}-${b.run}@example.com`;
    const target = `target-${n}-${b.run}@example.com`;
    const src = (await b.call('POST', '/api/v1/organizations', user, { name: 'Source' })).body.id;
    for (let k = 0; k < n; k++)
      await b.call('POST', `/api/v1/organizations/${src}/deployments`, user, {
        name: `d${k}`,
        configuration: { k },
      });
    const tgt = (await b.call('POST', '/api/v1/organizations', target, { name: 'Target' })).body.id;
    await b.call('POST', `/api/v1/organizations/${tgt}/invitations`, target, { emails: [user] });
    const repo = (await b.call('POST', '/api/v1/users/me/snapshot-repositories', user, { name: 'b' })).body
      .id;
    await b.stack.outbox.idle(600_000);
    const mailBefore = (await readMailbox(b.stack.sesEndpoint)).filter(
      (m) => m.destination.to[0] === user,
    ).length;
    const t = performance.now();
    let id = '';
    let startMs = 0;
    const untilItem = async (
      done: (m: NonNullable<Awaited<ReturnType<typeof migrationItem>>>) => boolean,
    ) => {
      for (let k = 0; k < 3000; k++) {
        const m = await migrationItem(id);
        if (m && done(m)) return m;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`migration ${id} stalled`);
    };
    const toWait = await record(async () => {
      const r = await b.call('POST', '/api/v1/migrations', user, {
        target_organization_id: tgt,
        repository_id: repo,
      });
      id = r.body.id;
      startMs = r.handlerMs;
      await untilItem(
        (m) =>
          m.status !== 'running' ||
          (m.current_step === WAIT_STEP &&
            m.history?.filter((h) => h.step === WAIT_STEP).at(-1)?.status === 'waiting'),
      );
    });
    const token = (
      await b.call('GET', `/api/v1/organizations/${tgt}/invitations`, target)
    ).body.invitations.find((x: { email: string }) => x.email === user).token;
    await b.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, user);
    // The outcome is recorded a state before the end: wait for the execution itself to finish.
    const executionArn = executionArnOf(stateMachineArnFor('migration'), id);
    const toEnd = await record(async () => {
      while ((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING')
        await new Promise((r) => setTimeout(r, 20));
      await b.stack.outbox.idle(600_000);
    });
    const elapsed = performance.now() - t;
    const done = await migrationItem(id);
    if (done?.status !== 'succeeded') throw new Error(`migration with ${n} deployments ${done?.status}`);
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
    );
    const transitions = events.filter((e) => e.type?.endsWith('StateEntered')).length;
    const invocations = events.filter((e) =>
      ['TaskStateEntered', 'TaskStateRetried'].includes(e.type as string),
    ).length;
    // Each task's time from the history (entered to exited, paired by state name in order). The wait's task returns
    // once it has stored its token, but its state lasts until the accept: it is priced at the other tasks' median.
    const entered = new Map<string, number[]>();
    const taskMs: number[] = [];
    for (const e of events) {
      const name = (e.stateEnteredEventDetails ?? e.stateExitedEventDetails)?.name ?? '';
      const at = e.timestamp?.getTime() ?? 0;
      if (e.type === 'TaskStateEntered') entered.set(name, [...(entered.get(name) ?? []), at]);
      if (e.type === 'TaskStateExited' && name !== WAIT_STEP) {
        const from = entered.get(name)?.shift();
        if (from !== undefined) taskMs.push(at - from);
      }
    }
    if (events.some((e) => e.type === 'TaskStateEntered' && e.stateEnteredEventDetails?.name === WAIT_STEP))
      taskMs.push(pct(taskMs, 50));
    const calls = dynamoOnly([...toWait.calls, ...toEnd.calls]);
    const emails =
      (await readMailbox(b.stack.sesEndpoint)).filter((m) => m.destination.to[0] === user).length -
      mailBefore;
    const usage = addUsage(
      request(startMs),
      {
        ...NO_USAGE,
        readUnits: toWait.capacity + toEnd.capacity,
        writeUnits: writeUnits(calls) + (await indexWriteUnits(calls)),
        lambdaMs: taskMs,
        memoryMb: FUNCTION_MEMORY_MB,
        transitions,
        emails,
        logBytes: taskMs.length * LOG_BYTES.perInvocation + transitions * LOG_BYTES.perTransition,
      },
      // The outbox's own invocations for those emails (their units are in the windows already).
      {
        ...outboxUsage(emails, b.perEmail, OUTBOX_MAPPING.batchSize, FUNCTION_MEMORY_MB),
        readUnits: 0,
        writeUnits: 0,
      },
    );
    migrationUsage.set(n, usage);
    console.log(
      `| ${n} | ${transitions} | ${15 + 4 * n} | ${invocations} | ${taskMs.reduce((a, b) => a + Math.ceil(b), 0)} ms | ${usage.readUnits} | ${usage.writeUnits} | ${emails} | ${(elapsed / 1000).toFixed(2)} s | ${dollars(costOf(usage).total)} |`,
    );
  }
  console.log(
    "\nA migration: the start request, every task invocation (billed per 1 ms of its time in the history), every state transition, its DynamoDB units (the start, the tasks and the outbox, which resumes the wait and sends the emails), its emails (SES and the outbox invocations), logs as assumed. The target invitation's accept is priced as an accept.",
  );
  return migrationUsage;
}
