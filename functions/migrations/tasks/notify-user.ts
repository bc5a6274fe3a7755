import { withMailer } from '../../shared/mailer.ts';
import { notifyUser } from '../steps/outcome.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask(
  'Notify user',
  (deps, i: { migration_id: string }) => notifyUser(deps, i.migration_id),
  withMailer,
);
