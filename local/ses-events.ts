/**
 * SES's delivery events into the handler EventBridge invokes in AWS (`SES_EVENTS.handler`): the local SES endpoint
 * keeps its events in order, and this poller hands each new one to the handler, retrying a failing one as Lambda's
 * asynchronous invocation does before giving up on it.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import { SES_EVENTS } from '../functions/outbox/mapping.ts';
import { loadHandler } from './handlers.ts';
import { readSesEvents } from './ses.ts';

type EventHandler = (event: EventBridgeEvent<string, unknown>, context?: unknown) => Promise<void>;

export interface LocalSesEvents {
  /** Events that failed every attempt (the local dead-letter queue). */
  readonly failures: { id: string; error: string }[];
  /** Resolves once every event the SES endpoint holds now has been handled. */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function startLocalSesEvents(opts: {
  sesEndpoint: string;
  pollMs?: number;
}): Promise<LocalSesEvents> {
  const handler = await loadHandler<EventHandler>(SES_EVENTS.handler);
  const pollMs = opts.pollMs ?? 100;
  // Events already there belong to sends from before this stack started (another stack sharing the endpoint).
  let after = (await readSesEvents(opts.sesEndpoint)).at(-1)?.seq ?? 0;
  let stopped = false;
  const failures: { id: string; error: string }[] = [];

  async function deliver(event: EventBridgeEvent<string, unknown>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await handler(event, { functionName: SES_EVENTS.handler, awsRequestId: crypto.randomUUID() });
        return;
      } catch (e) {
        if (attempt >= SES_EVENTS.retryAttempts || stopped) {
          failures.push({ id: event.id, error: (e as Error)?.name ?? 'Error' });
          return;
        }
        await sleep(Math.min(1000, 50 * 2 ** attempt));
      }
    }
  }

  async function pollOnce(): Promise<void> {
    for (const event of await readSesEvents(opts.sesEndpoint, after)) {
      const { seq, ...delivered } = event;
      await deliver(delivered as unknown as EventBridgeEvent<string, unknown>);
      after = seq;
    }
  }

  const loop = (async () => {
    while (!stopped) {
      await pollOnce().catch(() => undefined); // the endpoint not answering: try again next time
      await sleep(pollMs);
    }
  })();

  return {
    failures,
    async idle(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      const target = (await readSesEvents(opts.sesEndpoint, after)).at(-1)?.seq ?? after;
      while (after < target) {
        if (Date.now() > until) throw new Error(`SES events not handled within ${timeoutMs} ms`);
        await sleep(20);
      }
    },
    async stop() {
      stopped = true;
      await Promise.race([loop, sleep(2000)]);
    },
  };
}
