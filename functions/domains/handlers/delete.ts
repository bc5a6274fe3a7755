import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { requestedDomain } from '../schemas.ts';
import { deleteDomainClaim } from '../service.ts';

/** The reference's DELETE …/domains names the domain in its body (`DeleteDomainClaimRequest`), not in the path. */
export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const domain = requestedDomain(req);
  await deleteDomainClaim(defaultDeps(), req.caller, orgId, domain);
  return json(200, {});
});
