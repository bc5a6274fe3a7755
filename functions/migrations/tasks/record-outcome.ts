import { recordOutcome } from '../steps/outcome.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask(
  null,
  (
    deps,
    i: { migration_id: string; outcome: 'succeeded' | 'failed'; error?: { Error?: string; Cause?: string } },
  ) => recordOutcome(deps, i.migration_id, i.outcome, i.error),
);
