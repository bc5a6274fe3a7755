/**
 * The four claimed-domain routes, one function (`authedRoutes`): a function per route costs the stack about seven
 * resources (function, role, policy, log group, alarm, permission, integration), and CloudFormation stops at 500.
 */
import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { type AuthedRequest, authedRoutes, json } from '../../shared/http.ts';
import { requestedDomain } from '../schemas.ts';
import { deleteDomainClaim, generateVerificationCode, listDomains, verifyDomain } from '../service.ts';

const PATH = '/api/v1/organizations/{organization_id}/domains';
const orgOf = (req: AuthedRequest) => req.path('organization_id', undefined, orgNotFound());

export const handler = authedRoutes({
  [`GET ${PATH}`]: async (req) =>
    json(200, { domains: await listDomains(defaultDeps(), req.caller, orgOf(req)) }),
  // The reference's DELETE …/domains names the domain in its body (`DeleteDomainClaimRequest`), not in the path.
  [`DELETE ${PATH}`]: async (req) => {
    const orgId = orgOf(req);
    await deleteDomainClaim(defaultDeps(), req.caller, orgId, requestedDomain(req));
    return json(200, {});
  },
  [`POST ${PATH}/_generate_verification_code`]: async (req) => {
    const orgId = orgOf(req);
    return json(200, await generateVerificationCode(defaultDeps(), req.caller, orgId, requestedDomain(req)));
  },
  [`POST ${PATH}/_verify`]: async (req) => {
    const orgId = orgOf(req);
    await verifyDomain(defaultDeps(), req.caller, orgId, requestedDomain(req));
    return json(200, {});
  },
});
