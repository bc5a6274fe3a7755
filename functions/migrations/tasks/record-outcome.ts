import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask(
  null,
  (
    deps,
    i: { migration_id: string; outcome: 'succeeded' | 'failed'; error?: { Error?: string; Cause?: string } },
  ) => steps.recordOutcome(deps, i.migration_id, i.outcome, i.error),
);
