import { recreateDeleted } from '../steps/outcome.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Recreate deleted deployments', (deps, i: { migration_id: string }) =>
  recreateDeleted(deps, i.migration_id),
);
