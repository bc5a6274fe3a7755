import { deleteSourceResources } from '../steps/backup.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Delete source deployments', (deps, i: { migration_id: string }) =>
  deleteSourceResources(deps, i.migration_id),
);
