import * as steps from '../migration/steps.ts';
import { migrationTask } from './task.ts';

export const handler = migrationTask('Verify backups', (deps, i: { migration_id: string }) =>
  steps.verifyBackups(deps, i.migration_id),
);
