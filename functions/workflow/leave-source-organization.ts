import * as steps from '../migration/steps.ts';
import { migrationTask } from './task.ts';

export const handler = migrationTask('Leave source organization', (deps, i: { migration_id: string }) =>
  steps.leaveSource(deps, i.migration_id),
);
