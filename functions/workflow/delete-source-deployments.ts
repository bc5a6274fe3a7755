import * as steps from '../migration/steps.ts';
import { migrationTask } from './task.ts';

export const handler = migrationTask('Delete source deployments', (deps, i: { migration_id: string }) =>
  steps.deleteSourceResources(deps, i.migration_id),
);
