/**
 * What one request costs below the HTTP layer: every AWS call the handler makes is recorded (with its start and end
 * and, for DynamoDB, the capacity it consumed), then replayed bare through the same SDK clients to get the floor.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../functions/shared/clients.ts';
import { ses } from '../functions/shared/mailer.ts';
import { TABLE } from '../functions/shared/table.ts';
import { sfn } from '../functions/shared/workflow.ts';
import { kms } from '../functions/sso/tokens.ts';

interface Sendable {
  send(command: unknown): Promise<unknown>;
}
export interface Call {
  client: string;
  command: { constructor: new (input: unknown) => unknown; input: Record<string, unknown> };
  send: (command: unknown) => Promise<unknown>;
  start: number;
  end: number;
  /** DynamoDB's ConsumedCapacity in the answer, when it gave one. */
  consumed?: Consumed;
}

let recording: Call[] | undefined;
let capacity = 0;

function instrument(name: string, client: Sendable): void {
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  client.send = async (command: unknown) => {
    const start = performance.now();
    let consumed: Consumed;
    try {
      const out = await send(command);
      consumed = (out as { ConsumedCapacity?: Consumed } | undefined)?.ConsumedCapacity;
      return out;
    } finally {
      recording?.push({
        client: name,
        command: command as Call['command'],
        send,
        start,
        end: performance.now(),
        ...(consumed ? { consumed } : {}),
      });
    }
  };
}

interface Capacity {
  CapacityUnits?: number;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}
type Consumed = Capacity | Capacity[] | undefined;
const list = (c: Consumed) => (Array.isArray(c) ? c : c ? [c] : []);
const units = (c: Consumed) => list(c).reduce((s, x) => s + (x.CapacityUnits ?? 0), 0);

/** Instrument the clients the handlers use (they run in this process behind the local gateway). */
export function instrumentClients(): void {
  instrument('dynamodb', dynamo as unknown as Sendable);
  instrument('sesv2', ses as unknown as Sendable);
  instrument('sfn', sfn as unknown as Sendable);
  instrument('kms', kms as unknown as Sendable);
  // Ask DynamoDB for the read capacity every read consumes, table and indexes. (DynamoDB Local reports 2 units for any
  // transaction whatever its size, so writes are counted from the requests instead: see `writeUnits`.)
  dynamo.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      if (/^(Get|BatchGet|Query)/.test(String(context.commandName)))
        capacity += units((out.output as { ConsumedCapacity?: Consumed }).ConsumedCapacity);
      return out;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
}

/**
 * Write capacity as AWS bills it, from the requests: 1 unit per item written (items here are under 1 KB), 2 per item
 * in a transaction; index updates not included.
 */
export function writeUnits(calls: Call[]): number {
  let units = 0;
  for (const c of calls) {
    const name = c.command.constructor.name;
    const input = c.command.input as { TransactItems?: unknown[]; RequestItems?: Record<string, unknown[]> };
    if (name.startsWith('TransactWrite')) units += 2 * (input.TransactItems?.length ?? 0);
    else if (name.startsWith('BatchWrite'))
      units += Object.values(input.RequestItems ?? {}).reduce((n, reqs) => n + reqs.length, 0);
    else if (/^(Put|Update|Delete)/.test(name)) units += 1;
  }
  return units;
}

/** How many indexes hold an item (each write of it is one index write per index, on-demand). */
const indexesHolding = (item: Record<string, unknown> | undefined) =>
  TABLE.indexes.filter((i) => item?.[i.partitionKey] !== undefined).length;

/**
 * Index writes, which on-demand bills as write request units too: DynamoDB Local's own figure for single-item and batch
 * writes (it counts them right, key changes included); for a transaction, where it reports 2 per table or index
 * whatever the items, 1 per index holding an item written: a Put by its item, an Update by the item as it is
 * afterwards (read here, after the request), a Delete of a membership (the only item a transaction deletes that an
 * index holds) by its three member lists.
 */
export async function indexWriteUnits(calls: Call[]): Promise<number> {
  let units = 0;
  for (const c of calls) {
    const name = c.command.constructor.name;
    if (name.startsWith('TransactWrite')) {
      const items = (c.command.input.TransactItems ?? []) as {
        Put?: { Item: Record<string, unknown> };
        Update?: { TableName: string; Key: Record<string, unknown> };
        Delete?: { Key: Record<string, unknown> };
      }[];
      for (const t of items) {
        if (t.Put) units += indexesHolding(t.Put.Item);
        if (t.Delete && String(t.Delete.Key.sk).startsWith('MEMBER#')) units += TABLE.indexes.length;
        if (t.Update) {
          const after = (await c.send(
            new GetCommand({ TableName: t.Update.TableName, Key: t.Update.Key, ConsistentRead: true }),
          )) as { Item?: Record<string, unknown> };
          units += indexesHolding(after.Item);
        }
      }
    } else if (/^(Put|Update|Delete|BatchWrite)/.test(name)) {
      for (const x of list(c.consumed))
        units += Object.values(x.GlobalSecondaryIndexes ?? {}).reduce(
          (s, g) => s + (g.CapacityUnits ?? 0),
          0,
        );
    }
  }
  return units;
}

/** Run `act` and return what it sent: the calls in order and the DynamoDB read capacity units consumed. */
export async function record<T>(
  act: () => Promise<T>,
): Promise<{ result: T; calls: Call[]; capacity: number }> {
  recording = [];
  capacity = 0;
  try {
    const result = await act();
    return { result, calls: recording, capacity };
  } finally {
    recording = undefined;
  }
}

/**
 * Calls that overlapped in time ran concurrently: group them into waves so that the replay keeps the handler's
 * concurrency (sequential replay of parallel calls would make the floor look slower than it is).
 */
export function waves(calls: Call[]): Call[][] {
  const out: Call[][] = [];
  let wave: Call[] = [];
  let firstEnd = Number.POSITIVE_INFINITY;
  for (const c of [...calls].sort((a, b) => a.start - b.start)) {
    if (wave.length && c.start >= firstEnd) {
      out.push(wave);
      wave = [];
      firstEnd = Number.POSITIVE_INFINITY;
    }
    wave.push(c);
    firstEnd = Math.min(firstEnd, c.end);
  }
  if (wave.length) out.push(wave);
  return out;
}

/**
 * The floor: the same requests (same items, keys, conditions), sent straight through the SDK with nothing around
 * them, wave by wave. Replayed conditional writes usually fail their condition; DynamoDB evaluates it all the same,
 * so a failure is a completed round trip.
 */
export async function replay(calls: Call[]): Promise<number> {
  const t = performance.now();
  for (const wave of waves(calls)) {
    await Promise.all(
      wave.map((c) => c.send(new c.command.constructor({ ...c.command.input })).catch(() => undefined)),
    );
  }
  return performance.now() - t;
}
