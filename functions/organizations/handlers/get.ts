import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { getOrganization, orgNotFound } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  return json(200, await getOrganization(defaultDeps(), req.caller, orgId));
});
