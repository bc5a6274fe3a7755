/**
 * What each Lambda may touch: the least privilege per handler. Keyed by every handler in `functions/routes.ts` and
 * `functions/workflow/tasks.ts`, so adding a handler without deciding its access fails to compile.
 */
import type { OUTBOX_MAPPING } from '../functions/outbox/mapping.ts';
import type { ROUTES } from '../functions/routes.ts';
import type { WORKFLOW_TASKS } from '../functions/workflow/tasks.ts';

/** Item writes; transactions need the same actions on the items they touch (there is no TransactWriteItems action). */
export type WriteAction = 'PutItem' | 'UpdateItem' | 'DeleteItem';

export interface Access {
  /** GetItem, BatchGetItem, Query and ConditionCheckItem on the table (and Query on its index). */
  read?: true;
  write?: WriteAction[];
  email?: true;
  /** SendTaskSuccess/SendTaskFailure on the workflow's state machine. */
  workflowCallback?: true;
  /** StartExecution on the migration state machine. */
  startWorkflow?: true;
  /** StopExecution on the migration state machine's executions. */
  stopWorkflow?: true;
  /**
   * The user pool's trigger: created only with the stack's own Cognito user pool, and without the shared environment
   * (which names the pool's client, so the pool would depend on itself).
   */
  cognitoTrigger?: true;
  /** Serves the pages' scripts: the bundle carries `web/dist` (built from `web/*.ts`). */
  webAssets?: true;
}

export type HandlerName =
  | (typeof ROUTES)[number]['handler']
  | (typeof WORKFLOW_TASKS)[keyof typeof WORKFLOW_TASKS]
  | typeof OUTBOX_MAPPING.handler
  | 'fallback/not-found'
  | 'auth/pre-token';

export const ACCESS: Record<HandlerName, Access> = {
  'health/get': {},
  'openapi/get': {},
  'fallback/not-found': {},
  'auth/pre-token': { cognitoTrigger: true },
  'organizations/create': { write: ['UpdateItem', 'PutItem'] },
  'organizations/list': { read: true, write: ['PutItem'] },
  'organizations/get': { read: true },
  'organizations/update': { read: true, write: ['UpdateItem'] },
  // No SES: the outbox sends the emails after the commit.
  'invitations/create': { read: true, write: ['PutItem', 'UpdateItem'] },
  'invitations/list': { read: true },
  'invitations/revoke': { read: true, write: ['UpdateItem'] },
  'invitations/get': { read: true },
  'invitations/accept': { read: true, write: ['PutItem', 'UpdateItem'] },
  'invitations/page': { read: true },
  'web/callback': {},
  'web/asset': { webAssets: true },
  'members/list': { read: true },
  'members/remove': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'roles/add': { read: true, write: ['UpdateItem'] },
  'roles/remove': { read: true, write: ['UpdateItem'] },
  'users/me': { read: true },
  'deployments/create': { read: true, write: ['PutItem', 'UpdateItem'] },
  'deployments/list': { read: true },
  'deployments/get': { read: true },
  'deployments/delete': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'projects/create': { read: true, write: ['PutItem', 'UpdateItem'] },
  'projects/list': { read: true },
  'projects/get': { read: true },
  'projects/delete': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'bills/list': { read: true },
  'bills/create': { read: true, write: ['PutItem', 'UpdateItem'] },
  'bills/settle': { read: true, write: ['UpdateItem'] },
  'snapshots/create-repository': { write: ['PutItem'] },
  'snapshots/list-repositories': { read: true },
  'snapshots/list-snapshots': { read: true },
  'migrations/start': { read: true, write: ['PutItem', 'UpdateItem', 'DeleteItem'], startWorkflow: true },
  'migrations/list': { read: true },
  'migrations/get': { read: true },
  'migrations/cancel': { read: true, write: ['UpdateItem'], stopWorkflow: true },
  'migrations/restore': { read: true, write: ['PutItem', 'UpdateItem'] },
  'workflow/validate-migration': { read: true, write: ['UpdateItem'] },
  'workflow/back-up-deployment': { read: true, write: ['PutItem', 'UpdateItem'] },
  'workflow/verify-backups': { read: true, write: ['UpdateItem'] },
  'workflow/delete-source-deployments': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'workflow/leave-source-organization': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'workflow/reinvite-to-target': { read: true, write: ['UpdateItem'] },
  'workflow/await-acceptance': { read: true, write: ['UpdateItem'], workflowCallback: true },
  'workflow/restore-deployment': { read: true, write: ['PutItem', 'UpdateItem'] },
  'workflow/record-outcome': { read: true, write: ['UpdateItem'] },
  'workflow/notify-user': { read: true, write: ['UpdateItem'], email: true },
  'workflow/remove-partial-backups': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'workflow/recreate-deleted-deployments': { read: true, write: ['PutItem', 'UpdateItem'] },
  // Emails and the workflow callbacks after the commit, from the table's stream (stream reads granted by the mapping).
  'outbox/handler': { read: true, write: ['UpdateItem'], email: true, workflowCallback: true },
};
