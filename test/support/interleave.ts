/**
 * Deterministic interleavings: a hook in the real DynamoDB client's middleware (the one the in-process handlers and
 * workflow tasks use) holds the first request matching `match` until `before` has run, so "B lands between A's read
 * and A's write" happens every time instead of now and then.
 */
import { afterEach, beforeAll } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';

export interface Hold {
  match: (command: string, input: any) => boolean;
  before: () => Promise<void>;
  /**
   * Rewrites the held request's answer (document-level output), to stand for what DynamoDB may answer but a local
   * engine will not show on demand: a BatchGetItem that read one item before a transaction and another after it.
   */
  after?: (output: any) => void;
  /** How many requests were held (1 once it happened). */
  seen: number;
}

/** Arm `hold(h)` right before the request it should catch; `h.seen` tells afterwards that the race really happened. */
export function useInterleaving(): { hold(h: Hold): Hold } {
  let pending: Hold | undefined;
  beforeAll(() => {
    dynamo.middlewareStack.add(
      (next, context) => async (args) => {
        const h = pending;
        if (h?.match(String(context.commandName), args.input)) {
          pending = undefined; // once: what follows, retries included, goes through untouched
          h.seen++;
          await h.before();
          if (h.after) {
            const out = await next(args);
            h.after(out.output);
            return out;
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'interleave' },
    );
  });
  afterEach(() => {
    pending = undefined;
  });
  return {
    hold(h) {
      pending = h;
      return h;
    },
  };
}

/** The accept transaction: its first item consumes an invitation. */
export const isAccept = (command: string, input: any) =>
  command === 'TransactWriteItemsCommand' &&
  String(input?.TransactItems?.[0]?.Update?.UpdateExpression ?? '').includes('accepted_by');

/** A migration task recording that it starts `step` (its first write). */
export const startsStep = (step: string) => (command: string, input: any) =>
  command === 'UpdateItemCommand' &&
  String(input?.Key?.pk ?? '').startsWith('MIGRATION#') &&
  Object.values(input?.ExpressionAttributeValues ?? {}).includes(step);

/** A write to a migration item that sets `attribute` (e.g. the leave step's `leaving_at` claim). */
export const setsOnMigration = (attribute: string) => (command: string, input: any) =>
  command === 'UpdateItemCommand' &&
  String(input?.Key?.pk ?? '').startsWith('MIGRATION#') &&
  Object.values(input?.ExpressionAttributeNames ?? {}).includes(attribute) &&
  String(input?.UpdateExpression ?? '').startsWith('SET');
