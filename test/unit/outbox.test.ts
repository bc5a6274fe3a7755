import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type OutboxDeps, processRecords } from '../../functions/outbox/service.ts';
import { defaultDeps } from '../../functions/shared/deps.ts';
import { withMailer } from '../../functions/shared/mailer.ts';
import { sfnCallbacks } from '../../functions/shared/workflow.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESv2Client);
const sfn = mockClient(SFNClient);
afterEach(() => {
  ddb.reset();
  ses.reset();
  sfn.reset();
});

const now = new Date('2026-11-22T12:00:00Z');
let metrics = { count: vi.fn() };
afterEach(() => {
  metrics = { count: vi.fn() };
});
const deps = (): OutboxDeps => ({
  ...withMailer({ ...defaultDeps(), now: () => now, metrics }),
  workflow: sfnCallbacks,
  emailSendRatePerSecond: 14,
  sleep: vi.fn(async () => undefined),
});

const invitation = {
  entity: 'Invitation',
  organization_id: 'o1',
  organization_name: 'Acme',
  email: 'ann@example.com',
  token: 'T'.repeat(43),
  status: 'pending',
  created_at: '2026-11-22T00:00:00Z',
  expires_at: '2026-11-25T00:00:00Z',
  invited_by: 'u-admin',
  invited_by_email: 'admin@example.com',
  role_assignments: {},
  email_status: 'queued',
  email_version: 2,
  version: 2,
};
let seq = 0;
const record = (before: object | undefined, after: object | undefined): DynamoDBRecord =>
  ({
    eventID: `e${++seq}`,
    eventName: before ? (after ? 'MODIFY' : 'REMOVE') : 'INSERT',
    dynamodb: {
      SequenceNumber: String(seq).padStart(21, '0'),
      ...(before ? { OldImage: marshall(before, { removeUndefinedValues: true }) } : {}),
      ...(after ? { NewImage: marshall(after, { removeUndefinedValues: true }) } : {}),
    },
  }) as unknown as DynamoDBRecord;
const fault = (name: string) => Object.assign(new Error(name), { name, $metadata: {} });
const updates = () => ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
const marks = () => updates().filter((u) => String(u.UpdateExpression).includes('email_status'));

describe('invitation emails', () => {
  it('sends a queued invitation once, at the rate, and marks it sent on the version it emailed', async () => {
    // Prepare
    ddb.on(GetCommand).resolves({ Item: invitation });
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm1' });
    // Act
    const out = await processRecords(deps(), [
      record({ ...invitation, email_status: 'sent', email_version: 1, version: 1 }, invitation),
    ]);
    // Assess
    expect(out.batchItemFailures).toEqual([]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(ses.commandCalls(SendEmailCommand)[0]!.args[0].input.Destination?.ToAddresses).toEqual([
      'ann@example.com',
    ]);
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input.ConsistentRead).toBe(true);
    expect(updates().some((u) => u.Key?.pk === 'OUTBOX_RATE')).toBe(true); // a slot on the shared schedule
    expect(marks()).toEqual([
      expect.objectContaining({
        ConditionExpression: 'email_version = :v AND email_status = :queued',
        ExpressionAttributeValues: expect.objectContaining({ ':status': 'sent', ':v': 2 }),
      }),
    ]);
    expect(metrics.count).toHaveBeenCalledExactlyOnceWith('EmailsSent');
  });

  it('a throttled send fails the record (retried by the mapping); the retry sends it once', async () => {
    ddb.on(GetCommand).resolves({ Item: invitation });
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).rejectsOnce(fault('TooManyRequestsException')).resolves({ MessageId: 'm1' });
    const r = record(undefined, invitation);
    expect(await processRecords(deps(), [r])).toEqual({
      batchItemFailures: [{ itemIdentifier: r.dynamodb!.SequenceNumber }],
    });
    expect(marks()).toEqual([]);
    expect((await processRecords(deps(), [r])).batchItemFailures).toEqual([]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(2); // one refused, one delivered
    expect(marks()).toHaveLength(1);
    expect(metrics.count).toHaveBeenCalledExactlyOnceWith('EmailsSent'); // a throttled try is retried, not failed
  });

  it('a permanent refusal (MessageRejected) records failed with the reason and does not fail the batch', async () => {
    ddb.on(GetCommand).resolves({ Item: invitation });
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).rejects(fault('MessageRejected'));
    expect((await processRecords(deps(), [record(undefined, invitation)])).batchItemFailures).toEqual([]);
    expect(marks()[0]?.ExpressionAttributeValues).toMatchObject({
      ':status': 'failed',
      ':reason': expect.stringContaining('MessageRejected'),
    });
    expect(metrics.count).toHaveBeenCalledExactlyOnceWith('EmailsFailed');
  });

  it('a record seen again after its email was marked sends nothing (deduplicated by version)', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...invitation, email_status: 'sent' } });
    await processRecords(deps(), [record(undefined, invitation)]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('a record superseded by a newer refresh sends nothing: the refresh has its own', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...invitation, email_version: 3, version: 3 } });
    await processRecords(deps(), [record(undefined, invitation)]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('a write that only stores the wait token asks for no email', async () => {
    await processRecords(deps(), [record(invitation, { ...invitation, version: 3, task_token: 'tt' })]);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('a failed mark after SES took the email is retried in place, so the record is not redelivered', async () => {
    ddb.on(GetCommand).resolves({ Item: invitation });
    ddb
      .on(UpdateCommand)
      .resolves({})
      .on(UpdateCommand, { ExpressionAttributeValues: { ':status': 'sent', ':v': 2, ':queued': 'queued' } })
      .rejectsOnce(fault('ProvisionedThroughputExceededException'))
      .resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: 'm1' });
    expect((await processRecords(deps(), [record(undefined, invitation)])).batchItemFailures).toEqual([]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(marks()).toHaveLength(2);
  });

  it('a schedule booked beyond the horizon waits, then takes the next slot and sleeps until it', async () => {
    ddb.on(GetCommand).resolves({ Item: invitation });
    // The schedule as the table holds it: booked 25 s ahead (the horizon is 20 s). The clock moves as the outbox sleeps.
    let clock = now.getTime();
    let next = clock + 25_000;
    ddb.on(UpdateCommand).callsFake((input: { Key: { pk: string }; ConditionExpression: string }) => {
      if (input.Key.pk !== 'OUTBOX_RATE') return {};
      const busy = input.ConditionExpression.startsWith('#next >=');
      const ok = busy ? next >= clock && next <= clock + 20_000 : next < clock;
      if (!ok)
        throw Object.assign(fault('ConditionalCheckFailedException'), {
          Item: { next_at: { N: String(next) } },
        });
      const slot = busy ? next : clock;
      next = slot + 1000 / 14 / 0.97;
      return busy ? { Attributes: { next_at: slot } } : {};
    });
    ses.on(SendEmailCommand).resolves({ MessageId: 'm1' });
    const d = {
      ...deps(),
      now: () => new Date(clock),
      sleep: vi.fn(async (ms: number) => {
        clock += ms;
      }),
    };
    await processRecords(d, [record(undefined, invitation)]);
    // 5 s until the schedule is inside the horizon, then 20 s until the slot it reserved.
    expect(d.sleep.mock.calls.map(([ms]) => Math.round(ms))).toEqual([5_000, 20_000]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it("a record that keeps failing holds back only its own item's later records; the lowest failed one is reported", async () => {
    const other = { ...invitation, email: 'bob@example.com' };
    const poisoned = { ...invitation, email: 'eve@example.com' };
    ddb.on(UpdateCommand).resolves({});
    ddb.on(GetCommand).callsFake((input: { Key: { sk: string } }) => ({
      Item: [invitation, other, poisoned].find((i) => input.Key.sk === `INVITATION#${i.email}`),
    }));
    ses.on(SendEmailCommand).callsFake((input: { Destination: { ToAddresses: string[] } }) => {
      if (input.Destination.ToAddresses[0] === poisoned.email) throw fault('InternalFailure');
      return { MessageId: 'm' };
    });
    const withKeys = (r: DynamoDBRecord, item: { email: string }) => {
      r.dynamodb!.Keys = marshall({ pk: 'ORG#o1', sk: `INVITATION#${item.email}` }) as never;
      return r;
    };
    const first = withKeys(record(undefined, invitation), invitation);
    const bad = withKeys(record(undefined, poisoned), poisoned);
    const third = withKeys(record(undefined, other), other);
    const badAgain = withKeys(record(poisoned, { ...poisoned, version: 3, email_version: 3 }), poisoned);
    const batch = [first, bad, third, badAgain];
    const out = await processRecords(deps(), batch);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: bad.dynamodb!.SequenceNumber }]);
    const sentTo = ses
      .commandCalls(SendEmailCommand)
      .map((c) => c.args[0].input.Destination?.ToAddresses?.[0]);
    expect(sentTo.sort()).toEqual([invitation.email, other.email, poisoned.email].sort());
  });
});

describe('the workflow', () => {
  const waiting = { ...invitation, email_status: 'sent', task_token: 'sfn-token' };

  it('an accept of an invitation with a task token resumes the workflow; a failing call fails the record', async () => {
    const accepted = {
      ...waiting,
      status: 'accepted',
      accepted_by: 'u-ann',
      accepted_at: now.toISOString(),
      version: 3,
    };
    delete (accepted as { task_token?: string }).task_token;
    sfn.on(SendTaskSuccessCommand).rejectsOnce(fault('ServiceUnavailable')).resolves({});
    const r = record(waiting, accepted);
    expect((await processRecords(deps(), [r])).batchItemFailures).toHaveLength(1);
    expect((await processRecords(deps(), [r])).batchItemFailures).toEqual([]);
    expect(sfn.commandCalls(SendTaskSuccessCommand)[1]!.args[0].input).toEqual({
      taskToken: 'sfn-token',
      output: JSON.stringify({ accepted_at: now.toISOString(), user_id: 'u-ann', organization_id: 'o1' }),
    });
  });

  it('a task that already ended counts as done', async () => {
    const accepted = {
      ...waiting,
      status: 'accepted',
      accepted_by: 'u-ann',
      version: 3,
      task_token: undefined,
    };
    sfn.on(SendTaskSuccessCommand).rejects(fault('TaskTimedOut'));
    expect((await processRecords(deps(), [record(waiting, accepted)])).batchItemFailures).toEqual([]);
  });

  it('a revoke fails the waiting task with InvitationRevoked', async () => {
    sfn.on(SendTaskFailureCommand).resolves({});
    const revoked = { ...waiting, status: 'revoked', version: 3, task_token: undefined };
    await processRecords(deps(), [record(waiting, revoked)]);
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toMatchObject({
      taskToken: 'sfn-token',
      error: 'InvitationRevoked',
    });
  });

  const user = {
    entity: 'User',
    user_id: 'u-ann',
    email: 'ann@example.com',
    created_at: '',
    active_migration_id: 'm1',
  };
  const migration = {
    entity: 'Migration',
    id: 'm1',
    user_id: 'u-ann',
    status: 'running',
    target_organization_id: 'target',
    left_at: '2026-11-22T11:00:00Z',
    task_token: 'wait-token',
  };

  it('a user who joins another organization during the wait fails it, saying so', async () => {
    ddb.on(GetCommand).resolves({ Item: migration });
    sfn.on(SendTaskFailureCommand).resolves({});
    await processRecords(deps(), [record(user, { ...user, organization_id: 'elsewhere' })]);
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input).toMatchObject({
      taskToken: 'wait-token',
      error: 'JoinedAnotherOrganization',
      cause: expect.stringContaining('You joined another organization (elsewhere)'),
    });
  });

  it('joining the target itself is the accept, not a reason to fail', async () => {
    ddb.on(GetCommand).resolves({ Item: migration });
    await processRecords(deps(), [record(user, { ...user, organization_id: 'target' })]);
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });

  it('the wait recording its token after the user joined elsewhere is caught from the migration record', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...user, organization_id: 'elsewhere' } });
    sfn.on(SendTaskFailureCommand).resolves({});
    const { task_token: _t, ...before } = migration;
    await processRecords(deps(), [record(before, migration)]);
    expect(sfn.commandCalls(SendTaskFailureCommand)[0]!.args[0].input.error).toBe(
      'JoinedAnotherOrganization',
    );
  });
});

describe('batches', () => {
  it('stop at the first failing record and report it, so later records wait for it (order per item)', async () => {
    const waiting = { ...invitation, email_status: 'sent', task_token: 'sfn-token' };
    const accepted = { ...waiting, status: 'accepted', accepted_by: 'u', version: 3, task_token: undefined };
    sfn.on(SendTaskSuccessCommand).rejects(fault('ThrottlingException'));
    const records = [
      record(undefined, { entity: 'Membership' }),
      record(waiting, accepted),
      record(undefined, invitation),
    ];
    const out = await processRecords(deps(), records);
    expect(out.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.dynamodb!.SequenceNumber }]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});
