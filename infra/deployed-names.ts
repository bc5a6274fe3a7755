/**
 * The name each function was first deployed under. Every CloudFormation logical id of a function's resources (the
 * function, its role and policy, its log group, its alarm, its API integration and permission) derives from this
 * name, not from where its module lives, so moving or renaming a module updates the deployed function in place
 * instead of replacing it (and orphaning its retained log group). A new handler's entry is its module path on the day
 * it is added; an existing entry never changes. `test/infra/logical-ids.json` holds every id the stack synthesizes.
 */
import type { HandlerName } from './access.ts';

export const DEPLOYED_NAME: Record<HandlerName, string> = {
  'health/get': 'health/get',
  'openapi/get': 'openapi/get',
  'fallback/not-found': 'fallback/not-found',
  'auth/pre-token': 'auth/pre-token',
  'organizations/create': 'organizations/create',
  'organizations/list': 'organizations/list',
  'organizations/get': 'organizations/get',
  'organizations/update': 'organizations/update',
  'invitations/create': 'invitations/create',
  'invitations/list': 'invitations/list',
  'invitations/revoke': 'invitations/revoke',
  'invitations/get': 'invitations/get',
  'invitations/accept': 'invitations/accept',
  'invitations/page': 'invitations/page',
  'web/callback': 'web/callback',
  'web/asset': 'web/asset',
  'members/list': 'members/list',
  'members/remove': 'members/remove',
  'roles/add': 'roles/add',
  'roles/remove': 'roles/remove',
  'users/me': 'users/me',
  'deployments/create': 'deployments/create',
  'deployments/list': 'deployments/list',
  'deployments/get': 'deployments/get',
  'deployments/delete': 'deployments/delete',
  'projects/create': 'projects/create',
  'projects/list': 'projects/list',
  'projects/get': 'projects/get',
  'projects/delete': 'projects/delete',
  'bills/list': 'bills/list',
  'bills/create': 'bills/create',
  'bills/settle': 'bills/settle',
  'snapshots/create-repository': 'snapshots/create-repository',
  'snapshots/list-repositories': 'snapshots/list-repositories',
  'snapshots/list-snapshots': 'snapshots/list-snapshots',
  'migrations/start': 'migrations/start',
  'migrations/list': 'migrations/list',
  'migrations/get': 'migrations/get',
  'migrations/cancel': 'migrations/cancel',
  'migrations/restore': 'migrations/restore',
  'workflow/validate-migration': 'workflow/validate-migration',
  'workflow/back-up-deployment': 'workflow/back-up-deployment',
  'workflow/verify-backups': 'workflow/verify-backups',
  'workflow/delete-source-deployments': 'workflow/delete-source-deployments',
  'workflow/leave-source-organization': 'workflow/leave-source-organization',
  'workflow/reinvite-to-target': 'workflow/reinvite-to-target',
  'workflow/await-acceptance': 'workflow/await-acceptance',
  'workflow/restore-deployment': 'workflow/restore-deployment',
  'workflow/record-outcome': 'workflow/record-outcome',
  'workflow/notify-user': 'workflow/notify-user',
  'workflow/remove-partial-backups': 'workflow/remove-partial-backups',
  'workflow/recreate-deleted-deployments': 'workflow/recreate-deleted-deployments',
  'outbox/handler': 'outbox/handler',
};

/** The construct id of a handler's function (`organizations/create` → `OrganizationsCreate`), and the prefix of its role's and log group's. */
export const functionId = (handler: HandlerName): string =>
  DEPLOYED_NAME[handler].replace(/(^|[/-])(\w)/g, (_m, _s, c: string) => c.toUpperCase());
