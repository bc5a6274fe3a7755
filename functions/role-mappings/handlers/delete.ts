import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { roleNames } from '../schemas.ts';
import { deleteRoleMappings } from '../service.ts';

/** The reference's `DeleteRoleMappingsResponse`: the names deleted. */
export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const names = roleNames(req);
  return json(200, { mappings: await deleteRoleMappings(defaultDeps(), req.caller, orgId, names) });
});
