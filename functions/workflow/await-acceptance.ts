import * as steps from '../migration/steps.ts';
import { withWorkflow } from '../shared/workflow.ts';
import { migrationTask } from './task.ts';

export const handler = migrationTask(
  { waits: 'Wait for invitation acceptance' },
  (deps, i: { migration_id: string; task_token: string }) =>
    steps.awaitAcceptance(deps, i.migration_id, i.task_token),
  withWorkflow,
);
