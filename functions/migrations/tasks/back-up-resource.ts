import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask(
  { group: 'Back up deployments' },
  (deps, i: { migration_id: string; resource: { kind: 'deployment' | 'project'; id: string } }) =>
    steps.backUpResource(deps, i.migration_id, i.resource),
);
