/**
 * What one request costs below the HTTP layer: every AWS call the handler makes is recorded (with its start and end
 * and, for DynamoDB, the capacity it consumed), then replayed bare through the same SDK clients to get the floor.
 */
import { dynamo } from '../functions/shared/clients.ts';
import { ses } from '../functions/shared/mailer.ts';
import { sfn } from '../functions/shared/workflow.ts';

interface Sendable {
  send(command: unknown): Promise<unknown>;
}
export interface Call {
  client: string;
  command: { constructor: new (input: unknown) => unknown; input: Record<string, unknown> };
  send: (command: unknown) => Promise<unknown>;
  start: number;
  end: number;
}

let recording: Call[] | undefined;
let capacity = 0;

function instrument(name: string, client: Sendable): void {
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  client.send = async (command: unknown) => {
    const start = performance.now();
    try {
      return await send(command);
    } finally {
      recording?.push({
        client: name,
        command: command as Call['command'],
        send,
        start,
        end: performance.now(),
      });
    }
  };
}

type Consumed = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
const units = (c: Consumed) =>
  (Array.isArray(c) ? c : c ? [c] : []).reduce((s, x) => s + (x.CapacityUnits ?? 0), 0);

/** Instrument the clients the handlers use (they run in this process behind the local gateway). */
export function instrumentClients(): void {
  instrument('dynamodb', dynamo as unknown as Sendable);
  instrument('sesv2', ses as unknown as Sendable);
  instrument('sfn', sfn as unknown as Sendable);
  // Ask DynamoDB for the capacity every request consumes, table and indexes: that is the bill.
  dynamo.middlewareStack.add(
    (next) => async (args) => {
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = 'INDEXES';
      const out = await next(args);
      capacity += units((out.output as { ConsumedCapacity?: Consumed }).ConsumedCapacity);
      return out;
    },
    { step: 'initialize', name: 'benchConsumedCapacity' },
  );
}

/** Run `act` and return what it sent: the calls in order and the DynamoDB capacity units consumed. */
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
