import * as steps from '../migration/steps.ts';
import { migrationTask } from './task.ts';

export const handler = migrationTask('Validate migration', (deps, i: { migration_id: string }) =>
  steps.validateMigration(deps, i.migration_id),
);
