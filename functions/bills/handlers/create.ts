import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { billRequest } from '../schemas.ts';
import { createBill } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  return json(201, await createBill(defaultDeps(), req.caller, orgId, req.body(billRequest)));
});
