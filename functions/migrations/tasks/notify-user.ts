import { withMailer } from '../../shared/mailer.ts';
import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask(
  'Notify user',
  (deps, i: { migration_id: string }) => steps.notifyUser(deps, i.migration_id),
  withMailer,
);
