import * as steps from '../migration/steps.ts';
import { migrationTask } from './task.ts';

export const handler = migrationTask('Recreate deleted deployments', (deps, i: { migration_id: string }) =>
  steps.recreateDeleted(deps, i.migration_id),
);
