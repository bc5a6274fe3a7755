import * as steps from '../migration/steps.ts';
import { withMailer } from '../shared/mailer.ts';
import { migrationTask } from './task.ts';

export const handler = migrationTask(
  'Notify user',
  (deps, i: { migration_id: string }) => steps.notifyUser(deps, i.migration_id),
  withMailer,
);
