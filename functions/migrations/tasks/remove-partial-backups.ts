import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Remove partial backups', (deps, i: { migration_id: string }) =>
  steps.removePartialBackups(deps, i.migration_id),
);
