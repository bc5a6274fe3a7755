import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Leave source organization', (deps, i: { migration_id: string }) =>
  steps.leaveSource(deps, i.migration_id),
);
