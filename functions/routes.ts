/**
 * Every HTTP route, declared once. The CDK stack builds one Lambda per handler and wires these routes to it;
 * the local gateway serves the same list with the same handler modules (`functions/<handler>.ts`).
 * Longer than our ~300-line mark on purpose: one declarative list, read top to bottom; split, a route would hide.
 */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway route path, `{name}` for path parameters. */
  path: string;
  /** Module under `functions/` exporting `handler`. */
  handler: string;
  /** Protected by the JWT authorizer. */
  auth: boolean;
  /** Who may call it (rendered into docs/api.md's route table). */
  who: string;
}

const v1 = '/api/v1';

export const ROUTES = [
  { method: 'GET', path: `${v1}/health`, handler: 'api/handlers/health', auth: false, who: 'anyone' },
  {
    method: 'GET',
    path: `${v1}/openapi.json`,
    handler: 'openapi/handlers/get',
    auth: false,
    who: 'anyone (the OpenAPI 3.1 document of this API)',
  },
  {
    method: 'POST',
    path: `${v1}/organizations`,
    handler: 'organizations/handlers/create',
    auth: true,
    who: 'any signed-in user not in an organization',
  },
  {
    method: 'GET',
    path: `${v1}/organizations`,
    handler: 'organizations/handlers/list',
    auth: true,
    who: 'any signed-in user (sees their own)',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}`,
    handler: 'organizations/handlers/get',
    auth: true,
    who: 'members',
  },
  {
    method: 'PUT',
    path: `${v1}/organizations/{organization_id}`,
    handler: 'organizations/handlers/update',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/domains`,
    handler: 'domains/handlers/list',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'DELETE',
    path: `${v1}/organizations/{organization_id}/domains`,
    handler: 'domains/handlers/delete',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/{organization_id}/domains/_generate_verification_code`,
    handler: 'domains/handlers/generate',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/{organization_id}/domains/_verify`,
    handler: 'domains/handlers/verify',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/{organization_id}/invitations`,
    handler: 'invitations/handlers/create',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/invitations`,
    handler: 'invitations/handlers/list',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'DELETE',
    path: `${v1}/organizations/{organization_id}/invitations/{invitation_tokens}`,
    handler: 'invitations/handlers/revoke',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/invitations/{invitation_token}`,
    handler: 'invitations/handlers/get',
    auth: false,
    who: 'anyone holding the token',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/invitations/{invitation_token}/_accept`,
    handler: 'invitations/handlers/accept',
    auth: true,
    who: 'the signed-in user whose verified email matches the invitation',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/members`,
    handler: 'members/handlers/list',
    auth: true,
    who: 'members',
  },
  {
    method: 'GET',
    path: '/invitations/{token}',
    handler: 'invitations/handlers/page',
    auth: false,
    who: 'anyone holding the token (HTML page)',
  },
  {
    method: 'GET',
    path: '/auth/callback',
    handler: 'web/handlers/callback',
    auth: false,
    who: 'anyone (the sign-in redirect page)',
  },
  {
    method: 'GET',
    path: '/assets/{file}',
    handler: 'web/handlers/asset',
    auth: false,
    who: "anyone (the pages' scripts)",
  },
  {
    method: 'DELETE',
    path: `${v1}/organizations/{organization_id}/members/{user_ids}`,
    handler: 'members/handlers/remove',
    auth: true,
    who: 'organization-admin; any member for their own id or `me` (leaving)',
  },
  {
    method: 'POST',
    path: `${v1}/users/{user_id}/role_assignments`,
    handler: 'members/handlers/add-roles',
    auth: true,
    who: "organization-admin of the user's organization (`me`: the caller)",
  },
  {
    method: 'DELETE',
    path: `${v1}/users/{user_id}/role_assignments`,
    handler: 'members/handlers/remove-roles',
    auth: true,
    who: "organization-admin of the user's organization (`me`: the caller)",
  },
  {
    method: 'GET',
    path: `${v1}/users/me`,
    handler: 'users/handlers/me',
    auth: true,
    who: 'any signed-in user (themselves)',
  },
  {
    method: 'GET',
    path: `${v1}/users/me/invitations`,
    handler: 'invitations/handlers/mine',
    auth: true,
    who: 'any signed-in user with a verified email (the invitations sent to it)',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/{organization_id}/deployments`,
    handler: 'resources/handlers/create-deployment',
    auth: true,
    who: 'organization-admin, deployment-admin for all',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/deployments`,
    handler: 'resources/handlers/list-deployments',
    auth: true,
    who: 'members (each sees the deployments their roles cover)',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/deployments/{deployment_id}`,
    handler: 'resources/handlers/get-deployment',
    auth: true,
    who: 'members whose roles cover the deployment',
  },
  {
    method: 'DELETE',
    path: `${v1}/organizations/{organization_id}/deployments/{deployment_id}`,
    handler: 'resources/handlers/delete-deployment',
    auth: true,
    who: 'organization-admin, deployment-admin covering the deployment',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/{organization_id}/projects`,
    handler: 'resources/handlers/create-project',
    auth: true,
    who: 'organization-admin, <type>-admin for all',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/projects`,
    handler: 'resources/handlers/list-projects',
    auth: true,
    who: 'members (each sees the projects their roles cover)',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/projects/{project_id}`,
    handler: 'resources/handlers/get-project',
    auth: true,
    who: 'members whose roles cover the project',
  },
  {
    method: 'DELETE',
    path: `${v1}/organizations/{organization_id}/projects/{project_id}`,
    handler: 'resources/handlers/delete-project',
    auth: true,
    who: 'organization-admin, <type>-admin covering the project',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/bills`,
    handler: 'bills/handlers/list',
    auth: true,
    who: 'organization-admin, billing-admin',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/{organization_id}/bills`,
    handler: 'bills/handlers/create',
    auth: true,
    who: 'operators (identity-provider group)',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/{organization_id}/bills/{bill_id}/_settle`,
    handler: 'bills/handlers/settle',
    auth: true,
    who: 'organization-admin, billing-admin',
  },
  {
    method: 'POST',
    path: `${v1}/users/me/snapshot-repositories`,
    handler: 'snapshots/handlers/create-repository',
    auth: true,
    who: 'any signed-in user (their own)',
  },
  {
    method: 'GET',
    path: `${v1}/users/me/snapshot-repositories`,
    handler: 'snapshots/handlers/list-repositories',
    auth: true,
    who: 'any signed-in user (their own)',
  },
  {
    method: 'GET',
    path: `${v1}/users/me/snapshot-repositories/{repository_id}/snapshots`,
    handler: 'snapshots/handlers/list-snapshots',
    auth: true,
    who: "the repository's owner",
  },
  {
    method: 'POST',
    path: `${v1}/migrations`,
    handler: 'migrations/handlers/start',
    auth: true,
    who: 'a member with a pending invitation to the target',
  },
  {
    method: 'GET',
    path: `${v1}/migrations`,
    handler: 'migrations/handlers/list',
    auth: true,
    who: 'any signed-in user (their own)',
  },
  {
    method: 'GET',
    path: `${v1}/migrations/{migration_id}`,
    handler: 'migrations/handlers/get',
    auth: true,
    who: 'the migrating user',
  },
  {
    method: 'POST',
    path: `${v1}/migrations/{migration_id}/_restore`,
    handler: 'migrations/handlers/restore',
    auth: true,
    who: 'the migrating user',
  },
  {
    method: 'POST',
    path: `${v1}/migrations/{migration_id}/_cancel`,
    handler: 'migrations/handlers/cancel',
    auth: true,
    who: 'the migrating user',
  },
] as const satisfies readonly RouteDef[];
