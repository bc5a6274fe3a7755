import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { requestedDomain } from '../schemas.ts';
import { verifyDomain } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const domain = requestedDomain(req);
  await verifyDomain(defaultDeps(), req.caller, orgId, domain);
  return json(200, {});
});
