import * as steps from '../migration/steps.ts';
import { migrationTask } from './task.ts';

export const handler = migrationTask(
  'Re-invite to target organization',
  (deps, i: { migration_id: string }) => steps.reinvite(deps, i.migration_id),
);
