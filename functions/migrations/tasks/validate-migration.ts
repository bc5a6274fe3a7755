import { validateMigration } from '../steps/validate.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Validate migration', (deps, i: { migration_id: string }) =>
  validateMigration(deps, i.migration_id),
);
