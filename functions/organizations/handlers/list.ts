import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { listOrganizations } from '../service.ts';

export const handler = authedRoute(async (req) => {
  return json(200, { organizations: await listOrganizations(defaultDeps(), req.caller) });
});
