import { verifyBackups } from '../steps/backup.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Verify backups', (deps, i: { migration_id: string }) =>
  verifyBackups(deps, i.migration_id),
);
