import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Validate migration', (deps, i: { migration_id: string }) =>
  steps.validateMigration(deps, i.migration_id),
);
