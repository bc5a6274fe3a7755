import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acceptInvitation } from '../../functions/invitations/accept.ts';
import type { Callbacks, Deps } from '../../functions/shared/deps.ts';

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());

const now = new Date('2026-11-22T12:00:00Z');
const invitation = {
  pk: 'ORG#o1',
  sk: 'INVITATION#ann@example.com',
  entity: 'Invitation',
  organization_id: 'o1',
  organization_name: 'Org',
  email: 'ann@example.com',
  token: 'T'.repeat(43),
  status: 'pending',
  created_at: '2026-11-22T00:00:00Z',
  expires_at: '2026-11-23T00:00:00Z',
  role_assignments: {},
  version: 1,
  task_token: 'sfn-task-token',
};
const ann = { userId: 'u-ann', email: 'ann@example.com', emailVerified: true };

const deps = (over: Partial<Deps & Callbacks> = {}): Deps & Callbacks =>
  ({
    db: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    table: 't',
    now: () => now,
    workflow: { resume: vi.fn(async () => undefined), fail: vi.fn(async () => undefined) },
    metrics: { count: vi.fn() },
    ...over,
  }) as unknown as Deps & Callbacks;

describe('accept (fault injection)', () => {
  it('uses exactly one read and one TransactWriteItems, and calls no workflow (the outbox resumes it from the stream)', async () => {
    // Prepare
    ddb.on(QueryCommand).resolves({ Items: [invitation] });
    ddb.on(TransactWriteCommand).resolves({});
    const d = deps();
    // Act
    await acceptInvitation(d, ann, invitation.token);
    // Assess
    expect(ddb.calls()).toHaveLength(2);
    expect(ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems).toHaveLength(5);
    expect(d.workflow.resume).not.toHaveBeenCalled();
    expect(d.metrics.count).toHaveBeenCalledExactlyOnceWith('InvitationsAccepted');
  });

  it('does not resume anything when the transaction fails', async () => {
    ddb.on(QueryCommand).resolves({ Items: [invitation] });
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException' }));
    const resume = vi.fn();
    const metrics = { count: vi.fn() };
    await expect(
      acceptInvitation(
        deps({ workflow: { resume, fail: vi.fn(), start: vi.fn(), stop: vi.fn() }, metrics }),
        ann,
        invitation.token,
      ),
    ).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(resume).not.toHaveBeenCalled();
    expect(metrics.count).not.toHaveBeenCalled();
  });

  it('explains a lost race by reading what is true now: the user joined another organization', async () => {
    ddb.on(QueryCommand).resolves({ Items: [invitation] });
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed' },
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'None' },
        ],
      }),
    );
    ddb
      .on(BatchGetCommand)
      .resolves({ Responses: { t: [invitation, { pk: 'USER#u-ann', sk: 'USER', organization_id: 'o2' }] } });
    await expect(acceptInvitation(deps(), ann, invitation.token)).rejects.toMatchObject({
      code: 'organization.user_organization_already_belongs',
    });
  });
});
