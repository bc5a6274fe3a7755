import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask(
  'Re-invite to target organization',
  (deps, i: { migration_id: string }) => steps.reinvite(deps, i.migration_id),
);
