import { leaveSource } from '../steps/handoff.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask('Leave source organization', (deps, i: { migration_id: string }) =>
  leaveSource(deps, i.migration_id),
);
