import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Recreate deleted deployments', (deps, i: { migration_id: string }) =>
  steps.recreateDeleted(deps, i.migration_id),
);
