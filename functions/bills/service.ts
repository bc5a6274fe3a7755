/** Pending amounts an organization owes: raised by operators, settled by billing admins or owners. */
import { callerUnchanged, retryAuthorised } from '../organizations/membership.ts';
import { loadOrgAndMembership, orgNotFound } from '../organizations/service.ts';
import {
  batchGet,
  conditionsFailed,
  countOnOrganization,
  keyId,
  queryAll,
  stripKeys,
  transact,
} from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { BillItem, OrganizationItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import { type Caller, isOperator } from '../shared/http.ts';
import { canManageBilling } from '../shared/permissions.ts';
import type * as z from '../shared/schema.ts';
import { ENTITY, keys, queries } from '../shared/table.ts';
import type { billRequest } from './schemas.ts';

export type Bill = Omit<BillItem, 'entity'>;
const toBill = ({ entity: _e, ...bill }: BillItem): Bill => bill;
const billNotFound = () => new ApiError('organization.bill_not_found', 'Bill not found.');
const billingOnly = () =>
  new ApiError(
    'root.invalid_authentication',
    'Only a billing admin or an organization owner can see and settle bills.',
  );

export async function listBills(deps: Deps, caller: Caller, orgId: string): Promise<Bill[]> {
  const { membership } = await loadOrgAndMembership(deps, orgId, caller);
  if (!canManageBilling(membership.role_assignments)) throw billingOnly();
  const bills = await queryAll<BillItem>(deps.db, deps.table, queries.bills(orgId));
  return bills.map(toBill).sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/** Operators only (the `operators` group of the identity provider). */
export async function createBill(
  deps: Deps,
  caller: Caller,
  orgId: string,
  input: z.infer<typeof billRequest>,
): Promise<Bill> {
  if (!isOperator(caller))
    throw new ApiError('root.invalid_authentication', 'Only operators can raise bills.');
  const found = await batchGet(deps.db, deps.table, [keys.organization(orgId)]);
  const org = found.get(keyId(keys.organization(orgId))) as OrganizationItem | undefined;
  if (org?.status !== 'open') throw orgNotFound();
  const bill: BillItem = {
    entity: ENTITY.bill,
    id: deps.newId(),
    organization_id: orgId,
    amount_cents: input.amount_cents,
    currency: input.currency,
    description: input.description,
    status: 'pending',
    created_at: deps.now().toISOString(),
  };
  try {
    await transact(deps.db, {
      bill: {
        Put: {
          TableName: deps.table,
          Item: { ...keys.bill(orgId, bill.id), ...bill },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      organizationCount: countOnOrganization(deps.table, keys.organization(orgId), { pending_bill_count: 1 }),
    });
  } catch (e) {
    if (conditionsFailed(e)?.has('organizationCount')) throw orgNotFound();
    throw e;
  }
  return toBill(bill);
}

export async function settleBill(deps: Deps, caller: Caller, orgId: string, billId: string): Promise<Bill> {
  // The settler's roles are held by the write: demoted meanwhile, the retry reads again and refuses.
  return retryAuthorised(async () => {
    const { membership } = await loadOrgAndMembership(deps, orgId, caller);
    if (!canManageBilling(membership.role_assignments)) throw billingOnly();
    const found = await batchGet(deps.db, deps.table, [keys.bill(orgId, billId)]);
    const raw = found.get(keyId(keys.bill(orgId, billId)));
    if (!raw) throw billNotFound();
    // Without stripping, the answer carried the table's pk and sk (the OpenAPI check found it).
    const bill = stripKeys<BillItem>(raw);
    if (bill.status === 'settled')
      throw new ApiError('organization.bill_already_settled', 'This bill is already settled.');
    const now = deps.now().toISOString();
    try {
      await transact(deps.db, {
        bill: {
          Update: {
            TableName: deps.table,
            Key: keys.bill(orgId, billId),
            UpdateExpression: 'SET #status = :settled, settled_at = :now, settled_by = :uid',
            ConditionExpression: '#status = :pending',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':settled': 'settled',
              ':pending': 'pending',
              ':now': now,
              ':uid': caller.userId,
            },
          },
        },
        organizationCount: countOnOrganization(
          deps.table,
          keys.organization(orgId),
          { pending_bill_count: -1 },
          { anyStatus: true },
        ),
        ...callerUnchanged(deps, membership),
      });
    } catch (e) {
      if (conditionsFailed(e)?.has('bill'))
        throw new ApiError('organization.bill_already_settled', 'This bill is already settled.');
      throw e;
    }
    return toBill({ ...bill, status: 'settled', settled_at: now, settled_by: caller.userId });
  });
}
