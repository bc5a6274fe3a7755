/**
 * Retrying after a lost race: every "read, decide, write on the condition that nothing changed" in the service goes
 * through `retryLostRace`, so each waits the same way and gives up the same way.
 */
import { cancellationReasons } from './db.ts';

/**
 * A write lost to a concurrent one: a failed condition (on a single write, or on any item of a transaction) or a
 * transaction conflict. Reading again and deciding again is the answer; anything else (throttling, validation) is not.
 */
export function isLostRace(e: unknown): boolean {
  const name = (e as { name?: string })?.name;
  if (name === 'ConditionalCheckFailedException' || name === 'TransactionConflictException') return true;
  const reasons = cancellationReasons(e);
  return (
    reasons !== undefined &&
    [...reasons.values()].every(
      (r) => r === 'None' || r === 'ConditionalCheckFailed' || r === 'TransactionConflict',
    )
  );
}

/**
 * "Full jitter" exponential backoff (AWS Architecture Blog, Exponential Backoff And Jitter): a random wait below
 * `min(capMs, baseMs · 2^attempt)`, so writers that lost to each other do not meet again at the same instant.
 */
export const backoff = (attempt: number, baseMs = 20, capMs = 1000): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.random() * Math.min(capMs, baseMs * 2 ** attempt)));

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** What to throw after the last lost race (a 409 for a caller, a transient error for a workflow step). */
  exhausted: () => Error;
  /** What counts as a lost race (default `isLostRace`). */
  isLost?: (e: unknown) => boolean;
}

/**
 * Run `attempt` (read, decide, write conditionally) until it returns or throws anything but a lost race; after a lost
 * race wait `backoff` and run it again (it reads again), at most `attempts` times in all.
 */
export async function retryLostRace<T>(
  options: RetryOptions,
  attempt: (n: number) => Promise<T>,
): Promise<T> {
  const isLost = options.isLost ?? isLostRace;
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      if (!isLost(e)) throw e;
      if (n + 1 >= options.attempts) throw options.exhausted();
      await backoff(n);
    }
  }
}
