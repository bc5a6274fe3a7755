import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { requestedDomain } from '../schemas.ts';
import { generateVerificationCode } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const domain = requestedDomain(req);
  return json(200, await generateVerificationCode(defaultDeps(), req.caller, orgId, domain));
});
