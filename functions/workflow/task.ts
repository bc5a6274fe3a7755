/** Wraps a migration step as a Lambda task: records the current step and its history, and names errors for Catch/Retry. */
import { StepError, type StepError as StepErrorType } from '../migration/steps.ts';
import { updateMigration } from '../migration/store.ts';
import { type Deps, defaultDeps } from '../shared/deps.ts';
import { toApiError } from '../shared/http.ts';
import { log } from '../shared/log.ts';

type Input = { migration_id: string };

/** Throttling and dependency failures become `TransientError`, which the state machine retries with backoff. */
function toStepError(e: unknown): StepErrorType {
  if (e instanceof StepError) return e;
  const api = toApiError(e);
  if (api.status === 429 || api.status === 503) return new StepError('TransientError', api.message);
  if (api.status < 500) return new StepError('StepFailed', api.message);
  return new StepError('StepFailed', (e as Error)?.message?.slice(0, 300) ?? 'unexpected error');
}

/**
 * `step` names the state as operators see it; Map iterations pass null (their state records nothing per item).
 * `extend` adds what the step needs beyond the table (`withMailer`, `withWorkflow`).
 */
export function migrationTask<I extends Input, O, D extends Deps = Deps>(
  step: string | null,
  fn: (deps: NoInfer<D>, input: I) => Promise<O>,
  extend: (deps: Deps) => D = (deps) => deps as D,
) {
  return async (input: I): Promise<O> => {
    const deps = extend(defaultDeps());
    const started = deps.now().toISOString();
    try {
      // Inside the try: a throttled write here is a TransientError too, which the state machine retries.
      if (step) await updateMigration(deps, input.migration_id, { current_step: step });
      const out = await fn(deps, input);
      if (step) {
        await updateMigration(
          deps,
          input.migration_id,
          {},
          { step, status: 'succeeded', started_at: started, finished_at: deps.now().toISOString() },
        );
      }
      return out;
    } catch (e) {
      const err = toStepError(e);
      log('error', 'migration step failed', { migration: input.migration_id, step, error: err.name });
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
          },
        ).catch(() => undefined);
      }
      throw err;
    }
  };
}
