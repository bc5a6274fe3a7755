import * as steps from '../migration/steps.ts';
import { migrationTask } from './task.ts';

export const handler = migrationTask('Remove partial backups', (deps, i: { migration_id: string }) =>
  steps.removePartialBackups(deps, i.migration_id),
);
