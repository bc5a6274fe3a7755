import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { ApiError } from '../../shared/errors.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { settleBill } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const billId = req.path(
    'bill_id',
    undefined,
    new ApiError('organization.bill_not_found', 'Bill not found.'),
  );
  return json(200, await settleBill(defaultDeps(), req.caller, orgId, billId));
});
