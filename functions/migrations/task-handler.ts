/** Wraps a migration step as a Lambda task: records the current step and its history, and names errors for Catch/Retry. */
import type { Context } from 'aws-lambda';
import { type Deps, defaultDeps } from '../shared/deps.ts';
import { toApiError } from '../shared/http.ts';
import { inInvocation, log } from '../shared/log.ts';
import { flushMetrics } from '../shared/metrics.ts';
import { CANCELLED, StepError, type StepError as StepErrorType } from './steps/common.ts';
import { enterStep, updateMigration } from './store.ts';

type Input = { migration_id: string; resource?: { kind: string; id: string } };

/** Throttling and dependency failures become `TransientError`, which the state machine retries with backoff. */
function toStepError(e: unknown): StepErrorType {
  if (e instanceof StepError) return e;
  const api = toApiError(e);
  if (api.status === 429 || api.status === 503) return new StepError('TransientError', api.message);
  if (api.status < 500) return new StepError('StepFailed', api.message);
  return new StepError('StepFailed', (e as Error)?.message?.slice(0, 300) ?? 'unexpected error');
}

/**
 * What a task records on the migration, naming states as operators see them:
 * - a state's name: it becomes the current step, and a history entry is appended when it succeeds or fails;
 * - `{ group }`: one iteration of a Map state: the Map is the current step, and each iteration appends its own entry
 *   naming its resource (the Map succeeded once every planned resource did);
 * - `{ waits }`: the task only starts a wait that ends on acceptance: current step, then a `waiting` entry (never
 *   `succeeded`: the wait has not ended when its task returns), or a failure;
 * - null: nothing (the outcome task records the outcome itself).
 */
export type StepRecord = string | { group: string } | { waits: string } | null;

/** `extend` adds what the step needs beyond the table (`withMailer`, `withWorkflow`). */
export function migrationTask<I extends Input, O, D extends Deps = Deps>(
  record: StepRecord,
  fn: (deps: NoInfer<D>, input: I) => Promise<O>,
  extend: (deps: Deps) => D = (deps) => deps as D,
) {
  return (input: I, context?: Context): Promise<O> =>
    inInvocation(context, async () => {
      const deps = extend(defaultDeps());
      const started = deps.now().toISOString();
      const step =
        record === null
          ? null
          : typeof record === 'string'
            ? record
            : 'group' in record
              ? record.group
              : record.waits;
      const endsHere = typeof record === 'string' || (record !== null && 'group' in record);

      const item = input.resource ? { item: `${input.resource.kind}:${input.resource.id}` } : {};
      try {
        // Inside the try: a throttled write here is a TransientError too, which the state machine retries.
        if (step) await enterStep(deps, input.migration_id, step);
        const out = await fn(deps, input);
        if (step) {
          await updateMigration(
            deps,
            input.migration_id,
            {},
            {
              step,
              status: endsHere ? 'succeeded' : 'waiting',
              started_at: started,
              finished_at: deps.now().toISOString(),
              ...item,
            },
          );
        }
        return out;
      } catch (e) {
        const err = toStepError(e);
        if (err.name === CANCELLED) {
          // The user's choice, not a fault: the step hands over to the rollback.
          log('info', 'migration step stopped: the user cancelled', { migration: input.migration_id, step });
        } else {
          log('error', 'migration step failed', { migration: input.migration_id, step, error: err.name });
        }
        if (step) {
          await updateMigration(
            deps,
            input.migration_id,
            {},
            {
              step,
              status: 'failed',
              started_at: started,
              finished_at: deps.now().toISOString(),
              error: `${err.name}: ${err.message}`,
              ...item,
            },
          ).catch(() => undefined);
        }
        throw err;
      } finally {
        flushMetrics();
      }
    });
}
