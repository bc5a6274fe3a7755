import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { listBills } from '../service.ts';

export const handler = authedRoute(async (req) =>
  json(200, {
    bills: await listBills(defaultDeps(), req.caller, req.path('organization_id', undefined, orgNotFound())),
  }),
);
