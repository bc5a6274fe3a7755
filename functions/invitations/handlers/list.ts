import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { listInvitations } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  return json(200, { invitations: await listInvitations(defaultDeps(), req.caller, orgId) });
});
