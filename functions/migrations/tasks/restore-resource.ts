import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask(
  { group: 'Restore deployments' },
  (deps, i: { migration_id: string; resource: { kind: 'deployment' | 'project'; id: string } }) =>
    steps.restoreResource(deps, i.migration_id, i.resource),
);
