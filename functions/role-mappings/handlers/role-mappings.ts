/** The six role-mapping routes, one function (`authedRoutes`). */
import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { type AuthedRequest, authedRoutes, json } from '../../shared/http.ts';
import { mappingRequest, mappingsRequest, roleName, roleNames } from '../schemas.ts';
import {
  addRoleMappings,
  deleteRoleMappings,
  listRoleMappings,
  replaceRoleMappings,
  updateRoleMapping,
} from '../service.ts';

const PATH = '/api/v1/organizations/{organization_id}/role_mappings';
const orgOf = (req: AuthedRequest) => req.path('organization_id', undefined, orgNotFound());

export const handler = authedRoutes({
  [`GET ${PATH}`]: async (req) =>
    json(200, { mappings: await listRoleMappings(defaultDeps(), req.caller, orgOf(req)) }),
  [`POST ${PATH}`]: async (req) => {
    const orgId = orgOf(req);
    await addRoleMappings(defaultDeps(), req.caller, orgId, req.body(mappingsRequest).mappings);
    return json(201, {});
  },
  [`PUT ${PATH}`]: async (req) => {
    const orgId = orgOf(req);
    await replaceRoleMappings(defaultDeps(), req.caller, orgId, req.body(mappingsRequest).mappings);
    return json(200, {});
  },
  [`DELETE ${PATH}`]: async (req) => {
    await deleteRoleMappings(defaultDeps(), req.caller, orgOf(req));
    return json(200, {});
  },
  // The reference's `DeleteRoleMappingsResponse`: the names deleted.
  [`DELETE ${PATH}/{role_names}`]: async (req) => {
    const orgId = orgOf(req);
    const names = roleNames(req);
    return json(200, { mappings: await deleteRoleMappings(defaultDeps(), req.caller, orgId, names) });
  },
  [`PUT ${PATH}/{role_name}`]: async (req) => {
    const orgId = orgOf(req);
    const name = roleName(req);
    const { mapping } = req.body(mappingRequest);
    await updateRoleMapping(defaultDeps(), req.caller, orgId, name, mapping);
    return json(200, {});
  },
});
