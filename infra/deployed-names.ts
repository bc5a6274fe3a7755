/**
 * The name each function was first deployed under. Every CloudFormation logical id of a function's resources (the
 * function, its role and policy, its log group, its alarm, its API integration and permission) derives from this
 * name, not from where its module lives, so moving or renaming a module updates the deployed function in place
 * instead of replacing it (and orphaning its retained log group). A new handler's entry is its module path on the day
 * it is added; an existing entry never changes. `test/infra/logical-ids.json` holds every id the stack synthesizes.
 */
import type { HandlerName } from './access.ts';

export const DEPLOYED_NAME: Record<HandlerName, string> = {
  'api/handlers/health': 'health/get',
  'openapi/handlers/get': 'openapi/get',
  'api/handlers/not-found': 'fallback/not-found',
  'auth/handlers/pre-token': 'auth/pre-token',
  'auth/handlers/authorizer': 'auth/authorizer',
  'organizations/handlers/create': 'organizations/create',
  'organizations/handlers/list': 'organizations/list',
  'organizations/handlers/get': 'organizations/get',
  'organizations/handlers/update': 'organizations/update',
  'domains/handlers/domains': 'domains/routes',
  'idp/handlers/idp': 'idp/routes',
  'role-mappings/handlers/role-mappings': 'role-mappings/routes',
  'api-keys/handlers/api-keys': 'api-keys/routes',
  'sso/handlers/bridge': 'sso/bridge',
  'scim/handlers/scim': 'scim/handlers/scim',
  'invitations/handlers/create': 'invitations/create',
  'invitations/handlers/list': 'invitations/list',
  'invitations/handlers/revoke': 'invitations/revoke',
  'invitations/handlers/get': 'invitations/get',
  'invitations/handlers/accept': 'invitations/accept',
  'invitations/handlers/page': 'invitations/page',
  'invitations/handlers/mine': 'invitations/handlers/mine',
  'web/handlers/callback': 'web/callback',
  'web/handlers/asset': 'web/asset',
  'members/handlers/list': 'members/list',
  'members/handlers/remove': 'members/remove',
  'members/handlers/add-roles': 'roles/add',
  'members/handlers/remove-roles': 'roles/remove',
  'users/handlers/me': 'users/me',
  'resources/handlers/create-deployment': 'deployments/create',
  'resources/handlers/list-deployments': 'deployments/list',
  'resources/handlers/get-deployment': 'deployments/get',
  'resources/handlers/delete-deployment': 'deployments/delete',
  'resources/handlers/create-project': 'projects/create',
  'resources/handlers/list-projects': 'projects/list',
  'resources/handlers/get-project': 'projects/get',
  'resources/handlers/delete-project': 'projects/delete',
  'bills/handlers/list': 'bills/list',
  'bills/handlers/create': 'bills/create',
  'bills/handlers/settle': 'bills/settle',
  'snapshots/handlers/create-repository': 'snapshots/create-repository',
  'snapshots/handlers/list-repositories': 'snapshots/list-repositories',
  'snapshots/handlers/list-snapshots': 'snapshots/list-snapshots',
  'migrations/handlers/start': 'migrations/start',
  'migrations/handlers/list': 'migrations/list',
  'migrations/handlers/get': 'migrations/get',
  'migrations/handlers/cancel': 'migrations/cancel',
  'migrations/handlers/restore': 'migrations/restore',
  'migrations/tasks/validate-migration': 'workflow/validate-migration',
  'migrations/tasks/back-up-resource': 'workflow/back-up-deployment',
  'migrations/tasks/verify-backups': 'workflow/verify-backups',
  'migrations/tasks/delete-source-resources': 'workflow/delete-source-deployments',
  'migrations/tasks/leave-source-organization': 'workflow/leave-source-organization',
  'migrations/tasks/reinvite-to-target': 'workflow/reinvite-to-target',
  'migrations/tasks/await-acceptance': 'workflow/await-acceptance',
  'migrations/tasks/restore-resource': 'workflow/restore-deployment',
  'migrations/tasks/record-outcome': 'workflow/record-outcome',
  'migrations/tasks/notify-user': 'workflow/notify-user',
  'migrations/tasks/remove-partial-backups': 'workflow/remove-partial-backups',
  'migrations/tasks/recreate-deleted-resources': 'workflow/recreate-deleted-deployments',
  'outbox/handlers/stream': 'outbox/handler',
  'outbox/handlers/ses-event': 'outbox/handlers/ses-event',
};

/** The construct id of a handler's function (`organizations/create` → `OrganizationsCreate`), and the prefix of its role's and log group's. */
export const functionId = (handler: HandlerName): string =>
  DEPLOYED_NAME[handler].replace(/(^|[/-])(\w)/g, (_m, _s, c: string) => c.toUpperCase());
