import { withWorkflow } from '../../shared/workflow.ts';
import * as steps from '../steps.ts';
import { migrationTask } from '../task-handler.ts';

export const handler = migrationTask(
  { waits: 'Wait for invitation acceptance' },
  (deps, i: { migration_id: string; task_token: string }) =>
    steps.awaitAcceptance(deps, i.migration_id, i.task_token),
  withWorkflow,
);
