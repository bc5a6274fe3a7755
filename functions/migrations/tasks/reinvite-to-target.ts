import { reinvite } from '../steps/handoff.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask(
  'Re-invite to target organization',
  (deps, i: { migration_id: string }) => reinvite(deps, i.migration_id),
);
