import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { mappingRequest, roleName } from '../schemas.ts';
import { updateRoleMapping } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const name = roleName(req);
  const { mapping } = req.body(mappingRequest);
  await updateRoleMapping(defaultDeps(), req.caller, orgId, name, mapping);
  return json(200, {});
});
