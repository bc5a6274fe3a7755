import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { mappingsRequest } from '../schemas.ts';
import { replaceRoleMappings } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const { mappings } = req.body(mappingsRequest);
  await replaceRoleMappings(defaultDeps(), req.caller, orgId, mappings);
  return json(200, {});
});
