import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { memberPageRequest } from '../list-query.ts';
import { listMembers } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const page = memberPageRequest((name) => req.query(name));
  return json(200, await listMembers(defaultDeps(), req.caller, orgId, page));
});
