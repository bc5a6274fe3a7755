import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Delete source deployments', (deps, i: { migration_id: string }) =>
  steps.deleteSourceResources(deps, i.migration_id),
);
