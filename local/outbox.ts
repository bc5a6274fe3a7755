import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { OUTBOX_MAPPING } from '../functions/outbox/mapping.ts';
import { loadHandler } from './handlers.ts';

type StreamHandler = (
  event: DynamoDBStreamEvent,
  context?: unknown,
) => Promise<DynamoDBBatchResponse | undefined>;

/** Injected failures of whole invocations (tests): before the handler runs, or (`after`) once it has run. */
export interface InvocationFault {
  times: number;
  after?: boolean;
}

export interface FailedBatch {
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  records: number;
  attempts: number;
  error: string;
}

export interface LocalOutbox {
  /** Resolves once every record written before the call has been handled (or sent to `failures`). */
  idle(timeoutMs?: number): Promise<void>;
  /** Make the next `times` invocations fail like a crashed Lambda (tests). */
  failInvocations(fault: InvocationFault): void;
  /** Stop taking records until `resume()`, as disabling the event source mapping would (tests). */
  pause(): void;
  resume(): void;
  /** Drop every record not handled yet and go on from the stream's end, as a mapping re-created at LATEST would (bench). */
  skipToLatest(): void;
  /** The local on-failure destination. */
  readonly failures: FailedBatch[];
  /** Handler invocations so far (retries included). */
  readonly invocations: number;
  stop(): Promise<void>;
}

export interface OutboxOptions {
  endpoint: string;
  tableName: string;
  region?: string;
  pollMs?: number;
  retryAttempts?: number;
  batchSize?: number;
  /**
   * Where to keep each shard's position (the last record handled), as the event source mapping keeps its checkpoint:
   * a restart on the same data goes on after it instead of from the stream's oldest record. In memory when absent.
   */
  checkpointFile?: string;
}

interface ShardState {
  id: string;
  parent?: string;
  closed: boolean;
  busy: boolean;
  /** When the last GetRecords that returned nothing was sent. */
  quietSince: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * DynamoDB Local writes an empty map into stream images as `{}` (AWS writes `{"M":{}}`, as GetItem does); Lambda
 * would hand the handler the latter, so the images are mended the same way.
 */
function mendEmptyMaps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mendEmptyMaps);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 0) return { M: {} };
  return Object.fromEntries(
    entries.map(([k, v]) => [
      k,
      k === 'M' && v && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([mk, mv]) => [mk, mendEmptyMaps(mv)]))
        : mendEmptyMaps(v),
    ]),
  );
}

function mendImage(img: Record<string, unknown> | undefined) {
  return img && Object.fromEntries(Object.entries(img).map(([k, v]) => [k, mendEmptyMaps(v)]));
}

/** The SDK's record as Lambda delivers it: JSON attribute values, binary as base64, the time in epoch seconds. */
function toLambdaRecord(r: _Record, streamArn: string): DynamoDBRecord {
  const json = JSON.stringify(r, (_k, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    return v;
  });
  const parsed = JSON.parse(json) as DynamoDBRecord & { dynamodb: { ApproximateCreationDateTime?: unknown } };
  const at = r.dynamodb?.ApproximateCreationDateTime;
  if (at) parsed.dynamodb.ApproximateCreationDateTime = Math.floor(new Date(at).getTime() / 1000);
  const d = parsed.dynamodb as Record<string, unknown>;
  for (const k of ['Keys', 'NewImage', 'OldImage'])
    if (d[k]) d[k] = mendImage(d[k] as Record<string, unknown>);
  return { ...parsed, eventSourceARN: streamArn };
}

export async function startLocalOutbox(opts: OutboxOptions): Promise<LocalOutbox> {
  const region = opts.region ?? 'us-east-1';
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const ddb = new DynamoDBClient({ endpoint: opts.endpoint, region, credentials });
  const streams = new DynamoDBStreamsClient({ endpoint: opts.endpoint, region, credentials });
  const pollMs = opts.pollMs ?? 50;
  const retryAttempts = opts.retryAttempts ?? OUTBOX_MAPPING.retryAttempts;
  const batchSize = opts.batchSize ?? OUTBOX_MAPPING.batchSize;

  const checkpoints = new Map<string, string>(
    opts.checkpointFile && existsSync(opts.checkpointFile)
      ? Object.entries(JSON.parse(readFileSync(opts.checkpointFile, 'utf8')) as Record<string, string>)
      : [],
  );
  const checkpoint = (shardId: string, sequenceNumber: string | undefined) => {
    if (!sequenceNumber) return;
    checkpoints.set(shardId, sequenceNumber);
    if (!opts.checkpointFile) return;
    // Written whole and renamed into place, so a crash leaves the old checkpoint or the new one, never half of one.
    const tmp = `${opts.checkpointFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(checkpoints)));
    renameSync(tmp, opts.checkpointFile);
  };

  const table = await ddb.send(new DescribeTableCommand({ TableName: opts.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${opts.tableName} has no stream: create it with local/bootstrap.ts`);

  const handler = await loadHandler<StreamHandler>(OUTBOX_MAPPING.handler);

  let stopped = false;
  let paused = false;
  let skips = 0;
  let invocations = 0;
  const faults: InvocationFault[] = [];
  const failures: FailedBatch[] = [];
  const shards = new Map<string, ShardState>();
  const workers: Promise<void>[] = [];

  async function invoke(batch: _Record[]): Promise<DynamoDBBatchResponse | undefined> {
    invocations++;
    const fault = faults[0];
    const fire = () => {
      if (!fault) return;
      if (--fault.times <= 0) faults.shift();
      throw Object.assign(new Error('Injected invocation failure'), { name: 'LocalInjectedFault' });
    };
    if (fault && !fault.after) fire();
    const event: DynamoDBStreamEvent = { Records: batch.map((r) => toLambdaRecord(r, streamArn!)) };
    const deadline = Date.now() + OUTBOX_MAPPING.timeoutSeconds * 1000;
    const out = await handler(event, {
      functionName: OUTBOX_MAPPING.handler,
      awsRequestId: crypto.randomUUID(),
      getRemainingTimeInMillis: () => deadline - Date.now(),
    });
    if (fault?.after) fire();
    return out;
  }

  /** One batch until it is done, as the event source mapping does it (retries, partial batch responses). */
  async function deliver(shard: ShardState, records: _Record[]): Promise<void> {
    let batch = records;
    for (let attempt = 0; ; attempt++) {
      let error = '';
      let from = 0;
      try {
        const out = await invoke(batch);
        const failed = new Set((out?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        if (failed.size === 0) return;
        const first = batch.findIndex((r) => failed.has(r.dynamodb?.SequenceNumber ?? ''));
        from = first < 0 ? 0 : first; // an unknown identifier fails the whole batch, as in Lambda
        error = 'ReportedItemFailure';
      } catch (e) {
        error = (e as Error)?.name ?? 'Error';
      }
      batch = batch.slice(from);
      if (attempt >= retryAttempts || stopped) {
        const failure: FailedBatch = {
          shardId: shard.id,
          firstSequenceNumber: batch[0]?.dynamodb?.SequenceNumber ?? '',
          lastSequenceNumber: batch.at(-1)?.dynamodb?.SequenceNumber ?? '',
          records: batch.length,
          attempts: attempt + 1,
          error,
        };
        failures.push(failure);
        if (!stopped)
          console.error(
            JSON.stringify({
              level: 'error',
              message: 'outbox batch sent to the on-failure destination',
              ...failure,
            }),
          );
        return;
      }
      await sleep(Math.min(1000, 50 * 2 ** attempt));
    }
  }

  async function iteratorFor(shardId: string, after?: string): Promise<string | undefined> {
    const out = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return out.ShardIterator;
  }

  async function work(shard: ShardState): Promise<void> {
    // A child shard starts once its parent is read to the end, so an item's records stay in order.
    while (!stopped && shard.parent && shards.has(shard.parent) && !shards.get(shard.parent)!.closed)
      await sleep(pollMs);
    let last: string | undefined = checkpoints.get(shard.id);
    let iterator: string | undefined;
    let skipped = skips;
    while (!stopped) {
      if (paused) {
        await sleep(pollMs);
        continue;
      }
      const started = performance.now();
      try {
        if (skipped !== skips) {
          skipped = skips;
          iterator = (
            await streams.send(
              new GetShardIteratorCommand({
                StreamArn: streamArn,
                ShardId: shard.id,
                ShardIteratorType: 'LATEST',
              }),
            )
          ).ShardIterator;
        }
        iterator ??= await iteratorFor(shard.id, last);
        if (!iterator) break;
        const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
        const records = out.Records ?? [];
        if (records.length > 0) {
          shard.busy = true;
          try {
            await deliver(shard, records);
          } finally {
            shard.busy = false;
          }
          last = records.at(-1)?.dynamodb?.SequenceNumber ?? last;
          checkpoint(shard.id, last);
        } else {
          shard.quietSince = started;
        }
        iterator = out.NextShardIterator;
        if (!iterator) break; // the shard is closed and read to the end
        if (records.length === 0) await sleep(pollMs);
      } catch (e) {
        if (stopped) break;
        // An expired or trimmed iterator: start again after the last record handled.
        iterator = undefined;
        if ((e as Error).name !== 'ExpiredIteratorException')
          console.error(
            JSON.stringify({ level: 'warn', message: 'local outbox poll failed', error: (e as Error).name }),
          );
        await sleep(pollMs * 4);
      }
    }
    shard.closed = true;
  }

  async function discover(): Promise<void> {
    const found: Shard[] = [];
    let start: string | undefined;
    do {
      const out = await streams.send(
        new DescribeStreamCommand({
          StreamArn: streamArn,
          ...(start ? { ExclusiveStartShardId: start } : {}),
        }),
      );
      found.push(...(out.StreamDescription?.Shards ?? []));
      start = out.StreamDescription?.LastEvaluatedShardId;
    } while (start);
    for (const s of found) {
      if (!s.ShardId || shards.has(s.ShardId)) continue;
      const state: ShardState = {
        id: s.ShardId,
        ...(s.ParentShardId ? { parent: s.ParentShardId } : {}),
        closed: false,
        busy: false,
        quietSince: -1,
      };
      shards.set(s.ShardId, state);
      workers.push(work(state));
    }
  }

  const discovery = (async () => {
    while (!stopped) {
      try {
        await discover();
      } catch (e) {
        if (!stopped)
          console.error(
            JSON.stringify({
              level: 'warn',
              message: 'local outbox could not describe the stream',
              error: (e as Error).name,
            }),
          );
      }
      await sleep(pollMs * 10);
    }
  })();
  await discover();

  return {
    async idle(timeoutMs = 30_000) {
      const since = performance.now();
      const until = since + timeoutMs;
      await discover(); // shards opened since the last look are waited for too
      for (;;) {
        const open = [...shards.values()].filter((s) => !s.closed);
        if (open.every((s) => !s.busy && s.quietSince >= since)) return;
        if (performance.now() > until)
          throw new Error(`The local outbox did not drain within ${timeoutMs} ms`);
        await sleep(10);
      }
    },
    failInvocations(fault) {
      faults.push({ ...fault });
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
    },
    skipToLatest() {
      skips++;
    },
    failures,
    get invocations() {
      return invocations;
    },
    async stop() {
      stopped = true;
      await Promise.race([Promise.all([discovery, ...workers]), sleep(3000)]);
      ddb.destroy();
      streams.destroy();
    },
  };
}
