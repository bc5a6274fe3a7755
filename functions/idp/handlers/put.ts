import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { idpConfigurationRequest } from '../schemas.ts';
import { putIdp } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const body = req.body(idpConfigurationRequest);
  return json(200, await putIdp(defaultDeps(), req.caller, orgId, body));
});
