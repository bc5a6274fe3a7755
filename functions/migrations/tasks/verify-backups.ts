import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Verify backups', (deps, i: { migration_id: string }) =>
  steps.verifyBackups(deps, i.migration_id),
);
