import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ApiError } from './errors.ts';
import { type Key, type QueryRange, type QuerySpec, TABLE } from './table.ts';

export type Db = DynamoDBDocumentClient;

/** One item of a transaction (`Put`, `Update`, `Delete` or `ConditionCheck`). */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
/** A transaction's items by name, written in the order given. Names say what failed when it is cancelled. */
export type TransactItems = Record<string, TransactItem>;

const ITEM_NAMES = Symbol('transaction item names');

/** DynamoDB's limit of actions in one TransactWriteItems. */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * A write too large for one transaction, cut into consecutive ones: `groups` in order (a group's items always in the
 * same part), as many per part as fit in `MAX_TRANSACTION_ITEMS` beside `every`, which each part carries (the
 * caller's authority, say). Each part commits alone: the caller writes them in order and says what a later part's
 * refusal leaves standing.
 */
export function inParts(every: TransactItems, groups: TransactItems[]): TransactItems[] {
  const room = MAX_TRANSACTION_ITEMS - Object.keys(every).length;
  const parts: TransactItems[] = [];
  let part: TransactItems = {};
  for (const group of groups) {
    const size = Object.keys(group).length;
    if (size > room) throw new Error(`A group of ${size} items cannot fit in one transaction`);
    if (Object.keys(part).length + size > room) {
      parts.push({ ...part, ...every });
      part = {};
    }
    Object.assign(part, group);
  }
  if (Object.keys(part).length > 0) parts.push({ ...part, ...every });
  return parts;
}

/**
 * Write named items in one transaction. When it is cancelled, the error (rethrown as is) remembers the names, so
 * `conditionsFailed(e)` and `cancellationReasons(e)` answer by name instead of by position.
 */
export async function transact(db: Db, items: TransactItems): Promise<void> {
  const names = Object.keys(items);
  try {
    await db.send(new TransactWriteCommand({ TransactItems: Object.values(items) }));
  } catch (e) {
    if ((e as { name?: string })?.name === 'TransactionCanceledException' && e && typeof e === 'object')
      Object.defineProperty(e, ITEM_NAMES, { value: names });
    throw e;
  }
}

/** Why each named item of a cancelled `transact` failed ('None' when it did not); undefined for any other error. */
export function cancellationReasons(e: unknown): Map<string, string> | undefined {
  if ((e as { name?: string })?.name !== 'TransactionCanceledException') return undefined;
  const names = (e as { [ITEM_NAMES]?: string[] })[ITEM_NAMES];
  if (!names) throw new Error('A transaction not written with transact(): its failures have no names');
  const reasons = (e as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return new Map(names.map((n, i) => [n, reasons[i]?.Code ?? 'None']));
}

/**
 * The names of the items whose condition failed, when the transaction was cancelled by failed conditions only (not
 * by a conflict or throttling); undefined otherwise.
 */
export function conditionsFailed(e: unknown): Set<string> | undefined {
  const reasons = cancellationReasons(e);
  if (!reasons || [...reasons.values()].some((r) => r !== 'None' && r !== 'ConditionalCheckFailed'))
    return undefined;
  return new Set([...reasons].filter(([, r]) => r === 'ConditionalCheckFailed').map(([n]) => n));
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

const KEY_ATTRIBUTES = new Set<string>([
  TABLE.partitionKey,
  TABLE.sortKey,
  TABLE.ttlAttribute,
  ...TABLE.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
]);

/** Strip key and bookkeeping attributes (the table's and every index's keys, the TTL) before an item leaves the data layer. */
export function stripKeys<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !KEY_ATTRIBUTES.has(k))) as T;
}

/** Cursor for paged queries: opaque, URL-safe. */
const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

/** A key attribute DynamoDB would take: text, at most 1,024 bytes (its limit for a sort key), under `prefix`. */
const storableKey = (value: unknown, prefix: string): boolean =>
  typeof value === 'string' &&
  value.startsWith(prefix) &&
  value.isWellFormed() &&
  Buffer.byteLength(value) <= 1024;

/**
 * The cursor must point inside the queried range (same partition, storable sort keys under the prefixes; on an index,
 * its keys and the table's), or DynamoDB would refuse it.
 */
function decodeCursor(cursor: string | undefined, range: QueryRange) {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const table = range.index?.table ?? range;
    const valid =
      key &&
      typeof key === 'object' &&
      key.pk === table.pk &&
      storableKey(key.sk, table.skPrefix) &&
      (range.index
        ? key[range.index.pkName] === range.pk &&
          storableKey(key[range.index.skName], range.skPrefix) &&
          Object.keys(key).length === 4
        : Object.keys(key).length === 2);
    if (valid) return key as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new ApiError(
    'root.invalid_data',
    'The paging cursor is not valid: use the "next" value of the previous page of the same list (same sort and search).',
    ['next'],
  );
}

/** Every item an access pattern finds (all pages; strongly consistent on the table, as an index cannot be), keys stripped. */
export async function queryAll<T>(db: Db, tableName: string, query: QuerySpec): Promise<T[]> {
  const { range: _range, ...input } = query;
  const out: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        ...input,
        ExclusiveStartKey: start,
        // Patterns with a range on the table read it consistently (an index cannot be read so).
        ConsistentRead: query.range !== undefined && query.range.index === undefined,
      }),
    );
    for (const item of page.Items ?? []) out.push(stripKeys<T>(item));
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

/**
 * One page of an access pattern (eventually consistent, as a listing is), keys stripped, from the opaque cursor of the
 * previous page (`next`), which must point inside the same range. One item more than the page is read, so a page that
 * ends the range says so (no `next`) instead of leading to an empty page.
 */
export async function queryPage<T>(
  db: Db,
  tableName: string,
  query: QuerySpec,
  page: { limit: number; next?: string },
): Promise<{ items: T[]; next?: string }> {
  const { range, ...input } = query;
  if (page.next !== undefined && !range) throw new Error('This access pattern has no cursor');
  const out = await db.send(
    new QueryCommand({
      TableName: tableName,
      ...input,
      Limit: range ? page.limit + 1 : page.limit,
      ExclusiveStartKey: range ? decodeCursor(page.next, range) : undefined,
    }),
  );
  const found = out.Items ?? [];
  const items = found.slice(0, page.limit);
  const last = items.at(-1);
  // More than a page found: the next starts after this page's last item (its keys, as DynamoDB's own cursor holds).
  const after =
    range && last && found.length > page.limit
      ? Object.fromEntries(
          [TABLE.partitionKey, TABLE.sortKey, range.index?.pkName, range.index?.skName]
            .filter((k): k is string => k !== undefined)
            .map((k) => [k, last[k]]),
        )
      : out.LastEvaluatedKey;
  const next = encodeCursor(after);
  const stripped = items.map((i) => stripKeys<T>(i));
  return next ? { items: stripped, next } : { items: stripped };
}

/**
 * How many items an access pattern finds, without returning them (`Select: COUNT`, 1 MB of items per call, so a large
 * range takes several calls: its read cost grows with what it counts). Eventually consistent.
 */
export async function countAll(db: Db, tableName: string, query: QuerySpec): Promise<number> {
  const { range: _range, ...input } = query;
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ TableName: tableName, ...input, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
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
