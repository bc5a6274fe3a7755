/**
 * What each Lambda may touch: the least privilege per handler. Keyed by every handler in `functions/routes.ts` and
 * `functions/migrations/tasks.ts`, so adding a handler without deciding its access fails to compile.
 */

import type { WORKFLOW_TASKS } from '../functions/migrations/tasks.ts';
import type { OUTBOX_MAPPING, SES_EVENTS } from '../functions/outbox/mapping.ts';
import type { ROUTES } from '../functions/routes.ts';

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
  /**
   * The SSO bridge: kms:Sign and kms:GetPublicKey on its signing key (and nothing else of KMS), and the environment only
   * the bridge gets (`SSO_SIGNING_KEY_ID`, `SSO_CLIENTS`, which holds the user pool's client secret).
   */
  ssoSigning?: true;
  /**
   * Serves POST routes that take an `Idempotency-Key` (`functions/shared/idempotency.ts`): GetItem, PutItem, UpdateItem
   * and DeleteItem on the idempotency records only (partition keys `IDEMPOTENCY#…`, by `dynamodb:LeadingKeys`).
   */
  idempotency?: true;
  /** Serves the pages' scripts: the bundle carries `web/dist` (built from `web/*.ts`). */
  webAssets?: true;
  /**
   * The API's Lambda authorizer: created only with `-c authorizer=lambda` (`constructs/api.ts`), which also gives it
   * `JWT_AUDIENCE`.
   */
  apiAuthorizer?: true;
}

export type HandlerName =
  | (typeof ROUTES)[number]['handler']
  | (typeof WORKFLOW_TASKS)[keyof typeof WORKFLOW_TASKS]
  | typeof OUTBOX_MAPPING.handler
  | typeof SES_EVENTS.handler
  | 'api/handlers/not-found'
  | 'auth/handlers/pre-token'
  | 'auth/handlers/authorizer';

export const ACCESS: Record<HandlerName, Access> = {
  'api/handlers/health': {},
  'openapi/handlers/get': {},
  'api/handlers/not-found': {},
  'auth/handlers/pre-token': { cognitoTrigger: true },
  // Bearer JWTs (the issuer's JWKS) and API keys (their item and the creator's membership).
  'auth/handlers/authorizer': { read: true, apiAuthorizer: true },
  // Read: a request with an API key is confirmed by every handler (the key's item and its creator's membership).
  'organizations/handlers/create': { read: true, write: ['UpdateItem', 'PutItem'], idempotency: true },
  'organizations/handlers/list': { read: true, write: ['PutItem'] },
  'organizations/handlers/get': { read: true },
  'organizations/handlers/update': { read: true, write: ['UpdateItem'] },
  'domains/handlers/domains': {
    read: true,
    write: ['UpdateItem', 'PutItem', 'DeleteItem'],
    idempotency: true,
  },
  // One function per concern (`authedRoutes`): the stack is near CloudFormation's 500 resources.
  'idp/handlers/idp': { read: true, write: ['UpdateItem'] },
  'role-mappings/handlers/role-mappings': {
    read: true,
    write: ['UpdateItem', 'PutItem', 'DeleteItem'],
    idempotency: true,
  },
  // Create (a transaction holding the creator's membership) and delete the caller's keys.
  'api-keys/handlers/api-keys': { read: true, write: ['PutItem', 'DeleteItem'] },
  // The SSO bridge: sign-ins in flight, assertion ids, codes (taken by a delete) and the SSO join; signs with KMS.
  'sso/handlers/bridge': { read: true, write: ['UpdateItem', 'PutItem', 'DeleteItem'], ssoSigning: true },
  // SCIM: token routes and the SCIM endpoints, one function; provisioning joins, removal and role changes.
  'scim/handlers/scim': { read: true, write: ['UpdateItem', 'PutItem', 'DeleteItem'] },
  // No SES: the outbox sends the emails after the commit.
  'invitations/handlers/create': { read: true, write: ['PutItem', 'UpdateItem'], idempotency: true },
  'invitations/handlers/list': { read: true },
  'invitations/handlers/revoke': { read: true, write: ['UpdateItem'] },
  'invitations/handlers/get': { read: true },
  'invitations/handlers/accept': { read: true, write: ['PutItem', 'UpdateItem'], idempotency: true },
  'invitations/handlers/page': { read: true },
  'invitations/handlers/mine': { read: true },
  'web/handlers/callback': {},
  'web/handlers/asset': { webAssets: true },
  'members/handlers/list': { read: true },
  'members/handlers/remove': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'members/handlers/add-roles': { read: true, write: ['UpdateItem'], idempotency: true },
  'members/handlers/remove-roles': { read: true, write: ['UpdateItem'] },
  'users/handlers/me': { read: true },
  'resources/handlers/create-deployment': { read: true, write: ['PutItem', 'UpdateItem'], idempotency: true },
  'resources/handlers/list-deployments': { read: true },
  'resources/handlers/get-deployment': { read: true },
  'resources/handlers/delete-deployment': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'resources/handlers/create-project': { read: true, write: ['PutItem', 'UpdateItem'], idempotency: true },
  'resources/handlers/list-projects': { read: true },
  'resources/handlers/get-project': { read: true },
  'resources/handlers/delete-project': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'bills/handlers/list': { read: true },
  'bills/handlers/create': { read: true, write: ['PutItem', 'UpdateItem'], idempotency: true },
  'bills/handlers/settle': { read: true, write: ['UpdateItem'], idempotency: true },
  'snapshots/handlers/create-repository': { read: true, write: ['PutItem'], idempotency: true },
  'snapshots/handlers/list-repositories': { read: true },
  'snapshots/handlers/list-snapshots': { read: true },
  'migrations/handlers/start': {
    read: true,
    write: ['PutItem', 'UpdateItem', 'DeleteItem'],
    startWorkflow: true,
    idempotency: true,
  },
  'migrations/handlers/list': { read: true },
  'migrations/handlers/get': { read: true },
  'migrations/handlers/cancel': { read: true, write: ['UpdateItem'], stopWorkflow: true, idempotency: true },
  'migrations/handlers/restore': { read: true, write: ['PutItem', 'UpdateItem'], idempotency: true },
  'migrations/tasks/validate-migration': { read: true, write: ['UpdateItem'] },
  'migrations/tasks/back-up-resource': { read: true, write: ['PutItem', 'UpdateItem'] },
  'migrations/tasks/verify-backups': { read: true, write: ['UpdateItem'] },
  'migrations/tasks/delete-source-resources': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'migrations/tasks/leave-source-organization': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'migrations/tasks/reinvite-to-target': { read: true, write: ['UpdateItem'] },
  'migrations/tasks/await-acceptance': { read: true, write: ['UpdateItem'], workflowCallback: true },
  'migrations/tasks/restore-resource': { read: true, write: ['PutItem', 'UpdateItem'] },
  'migrations/tasks/record-outcome': { read: true, write: ['UpdateItem'] },
  'migrations/tasks/notify-user': { read: true, write: ['UpdateItem'], email: true },
  'migrations/tasks/remove-partial-backups': { read: true, write: ['DeleteItem', 'UpdateItem'] },
  'migrations/tasks/recreate-deleted-resources': { read: true, write: ['PutItem', 'UpdateItem'] },
  // Emails and the workflow callbacks after the commit, from the table's stream (stream reads granted by the mapping).
  'outbox/handlers/stream': { read: true, write: ['UpdateItem'], email: true, workflowCallback: true },
  // A bounce or complaint marks the invitation email it concerns (one conditional update, nothing read).
  'outbox/handlers/ses-event': { write: ['UpdateItem'] },
};
