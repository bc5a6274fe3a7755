import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ApiError } from './errors.ts';
import type { Key } from './table.ts';

export type Db = DynamoDBDocumentClient;

/** Why each item of a cancelled transaction failed ('None' when it did not), in request order. */
export function cancellationReasons(e: unknown): string[] | undefined {
  if ((e as { name?: string })?.name !== 'TransactionCanceledException') return undefined;
  const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

/** True when the transaction was cancelled only because of failed conditions (not conflicts or throttling). */
export function conditionsFailed(e: unknown): boolean[] | undefined {
  const reasons = cancellationReasons(e);
  if (!reasons || reasons.some((r) => r !== 'None' && r !== 'ConditionalCheckFailed')) return undefined;
  return reasons.map((r) => r === 'ConditionalCheckFailed');
}

/**
 * Strongly consistent batch read of any number of keys (chunks of 100 in parallel), retrying unprocessed keys.
 * Returns items by `pk|sk`.
 */
export async function batchGet(
  db: Db,
  tableName: string,
  keyList: Key[],
): Promise<Map<string, Record<string, unknown>>> {
  const unique = [...new Map(keyList.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
  const found = new Map<string, Record<string, unknown>>();
  const chunks: Key[][] = [];
  for (let i = 0; i < unique.length; i += 100) chunks.push(unique.slice(i, i + 100));
  await Promise.all(
    chunks.map(async (chunk) => {
      let pending: Key[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        if (attempt > 6)
          throw Object.assign(new Error('BatchGet kept returning unprocessed keys'), {
            name: 'ThrottlingException',
          });
        const out = await db.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of out.Responses?.[tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
        pending = (out.UnprocessedKeys?.[tableName]?.Keys as Key[] | undefined) ?? [];
      }
    }),
  );
  return found;
}

export const keyId = (k: Key): string => `${k.pk}|${k.sk}`;

/** Strip key and bookkeeping attributes before an item leaves the data layer. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, ttl: _ttl, ...rest } = item;
  return rest as T;
}

/** Cursor for paged queries: opaque, URL-safe. */
export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/**
 * The cursor must point inside the queried range (same pk, a storable sort key under the prefix), or DynamoDB would
 * refuse it.
 */
export function decodeCursor(
  cursor: string | undefined,
  expectPk: string,
  expectSkPrefix: string,
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      key &&
      typeof key === 'object' &&
      key.pk === expectPk &&
      typeof key.sk === 'string' &&
      key.sk.startsWith(expectSkPrefix) &&
      key.sk.isWellFormed() &&
      Buffer.byteLength(key.sk) <= 1024 && // DynamoDB's limit for a sort key
      Object.keys(key).length === 2
    ) {
      return key;
    }
  } catch {
    // fall through to the error below
  }
  throw new ApiError(
    'root.invalid_data',
    'The paging cursor is not valid: use the "next" value of the previous page.',
    ['next'],
  );
}

/** Every item under `pk` whose sort key starts with `prefix` (all pages, strongly consistent), keys stripped. */
export async function queryPrefix<T>(db: Db, tableName: string, pk: string, prefix: string): Promise<T[]> {
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) out.push(stripKeys<T>(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * A transaction item that adds to the organization's counters (member, admin, resource, bill counts), conditioned on
 * the organization being open unless `anyStatus`. Counters change in the same transaction as what they count.
 */
export function countOnOrganization(
  tableName: string,
  orgKey: Key,
  add: Record<string, number>,
  opts: { anyStatus?: boolean } = {},
) {
  const names = Object.keys(add);
  return {
    Update: {
      TableName: tableName,
      Key: orgKey,
      UpdateExpression: `ADD ${names.map((_n, i) => `#c${i} :c${i}`).join(', ')}`,
      ...(opts.anyStatus ? {} : { ConditionExpression: '#status = :open' }),
      ExpressionAttributeNames: {
        ...Object.fromEntries(names.map((n, i) => [`#c${i}`, n])),
        ...(opts.anyStatus ? {} : { '#status': 'status' }),
      },
      ExpressionAttributeValues: {
        ...Object.fromEntries(names.map((n, i) => [`:c${i}`, add[n]])),
        ...(opts.anyStatus ? {} : { ':open': 'open' }),
      },
    },
  };
}

/** One item by key, strongly consistent, keys stripped; undefined when absent. */
export async function getItem<T>(db: Db, tableName: string, key: Key): Promise<T | undefined> {
  const out = await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
  return out.Item ? stripKeys<T>(out.Item) : undefined;
}

/**
 * A conditional update whose failed condition means "nothing to do" (already done, no longer applies): true when it
 * was applied, false when the condition failed; anything else is thrown.
 */
export async function updateIf(db: Db, input: UpdateCommandInput): Promise<boolean> {
  try {
    await db.send(new UpdateCommand(input));
    return true;
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') return false;
    throw e;
  }
}
