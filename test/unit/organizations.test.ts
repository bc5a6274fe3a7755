import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { handler as create } from '../../functions/organizations/handlers/create.ts';
import { handler as list } from '../../functions/organizations/handlers/list.ts';

const ddb = mockClient(DynamoDBDocumentClient);
afterEach(() => ddb.reset());

const ev = (body?: unknown) =>
  ({
    rawPath: '/api/v1/organizations',
    routeKey: 'POST /api/v1/organizations',
    headers: {},
    isBase64Encoded: false,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    requestContext: {
      requestId: 'r',
      http: { method: 'POST' },
      authorizer: { jwt: { claims: { sub: 'u1', email: 'a@example.com' } } },
    },
  }) as never;

type Res = { statusCode: number; body: string; headers?: Record<string, string> };

describe('create organization (fault injection)', () => {
  it('maps a failed lock condition to organization.user_organization_already_belongs', async () => {
    // Prepare
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed' },
          { Code: 'None' },
          { Code: 'None' },
        ],
      }),
    );
    // Act
    const res = (await create(ev({ name: 'Acme' }))) as Res;
    // Assess
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).errors[0].code).toBe('organization.user_organization_already_belongs');
  });

  it('answers a retryable 503 when the transaction conflicts, and succeeds on retry', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({
          message: 'conflict',
          $metadata: {},
          CancellationReasons: [{ Code: 'TransactionConflict' }],
        }),
      )
      .resolves({});
    const first = (await create(ev({ name: 'Acme' }))) as Res;
    expect([first.statusCode, first.headers?.['retry-after']]).toEqual([503, '1']);
    const second = (await create(ev({ name: 'Acme' }))) as Res;
    expect(second.statusCode).toBe(201);
  });

  it('answers 429 when DynamoDB throttles', async () => {
    ddb.on(GetCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const res = (await list(ev())) as Res;
    expect(res.statusCode).toBe(429);
    expect(JSON.parse(res.body).errors[0].code).toBe('root.throttled');
  });
});
