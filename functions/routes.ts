/**
 * Every HTTP route, declared once. The CDK stack builds one Lambda per handler and wires these routes to it;
 * the local gateway serves the same list with the same handler modules (`functions/<handler>.ts`).
 */
export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway route path, `{name}` for path parameters. */
  path: string;
  /** Module under `functions/` exporting `handler`. */
  handler: string;
  /** Protected by the JWT authorizer. */
  auth: boolean;
  /** Who may call it (rendered into the README's authorization table). */
  who: string;
}

const v1 = '/api/v1';

export const ROUTES = [
  { method: 'GET', path: `${v1}/health`, handler: 'health/get', auth: false, who: 'anyone' },
  {
    method: 'POST',
    path: `${v1}/organizations`,
    handler: 'organizations/create',
    auth: true,
    who: 'any signed-in user not in an organization',
  },
  {
    method: 'GET',
    path: `${v1}/organizations`,
    handler: 'organizations/list',
    auth: true,
    who: 'any signed-in user (sees their own)',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}`,
    handler: 'organizations/get',
    auth: true,
    who: 'members',
  },
  {
    method: 'PUT',
    path: `${v1}/organizations/{organization_id}`,
    handler: 'organizations/update',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/{organization_id}/invitations`,
    handler: 'invitations/create',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/invitations`,
    handler: 'invitations/list',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'DELETE',
    path: `${v1}/organizations/{organization_id}/invitations/{invitation_tokens}`,
    handler: 'invitations/revoke',
    auth: true,
    who: 'organization-admin',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/invitations/{invitation_token}`,
    handler: 'invitations/get',
    auth: false,
    who: 'anyone holding the token',
  },
  {
    method: 'POST',
    path: `${v1}/organizations/invitations/{invitation_token}/_accept`,
    handler: 'invitations/accept',
    auth: true,
    who: 'the signed-in user whose verified email matches the invitation',
  },
  {
    method: 'GET',
    path: `${v1}/organizations/{organization_id}/members`,
    handler: 'members/list',
    auth: true,
    who: 'members',
  },
  {
    method: 'GET',
    path: '/invitations/{token}',
    handler: 'invitations/page',
    auth: false,
    who: 'anyone holding the token (HTML page)',
  },
] as const satisfies readonly RouteDef[];
