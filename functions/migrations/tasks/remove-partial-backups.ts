import { removePartialBackups } from '../steps/outcome.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Remove partial backups', (deps, i: { migration_id: string }) =>
  removePartialBackups(deps, i.migration_id),
);
