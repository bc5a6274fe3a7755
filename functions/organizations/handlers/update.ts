import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { organizationName, organizationRequest } from '../schemas.ts';
import { getOrganization, orgNotFound, renameOrganization } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const name = organizationName(req.body(organizationRequest).name);
  const deps = defaultDeps();
  if (name === undefined) return json(200, await getOrganization(deps, req.caller, orgId));
  return json(200, await renameOrganization(deps, req.caller, orgId, name));
});
