import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { organizationName, organizationRequest } from '../schemas.ts';
import { createOrganization } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const name = organizationName(req.body(organizationRequest).name);
  return json(201, await createOrganization(defaultDeps(), req.caller, name));
});
