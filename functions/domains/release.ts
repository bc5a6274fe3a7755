/**
 * Closing an organization (its last member leaves: `members/changes.ts`) releases its domains in the same transaction:
 * every claim is deleted and every domain it owned is freed for another organization. The close's condition holds
 * the claims as read (`domains_version`), so a claim verified meanwhile makes the close read again instead of leaving a
 * closed organization owning a domain.
 */
import { queryAll, type TransactItems } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { DomainClaimItem, OrganizationItem } from '../shared/domain.ts';
import { keys, queries } from '../shared/table.ts';

export interface DomainRelease {
  /** Transaction items deleting the claims and freeing the domains. */
  items: TransactItems;
  /** To AND into the closing update's condition on the organization item, with `values`. */
  condition: string;
  values: Record<string, unknown>;
}

export async function releaseDomains(deps: Deps, org: OrganizationItem): Promise<DomainRelease> {
  const claims =
    (org.domain_claim_count ?? 0) > 0 || org.domains_version !== undefined
      ? await queryAll<DomainClaimItem>(deps.db, deps.table, queries.domainClaims(org.id))
      : [];
  const items: TransactItems = {};
  for (const c of claims) {
    items[`domainClaim:${c.domain}`] = {
      Delete: { TableName: deps.table, Key: keys.domainClaim(org.id, c.domain) },
    };
    if (c.status === 'verified')
      items[`domain:${c.domain}`] = {
        Delete: {
          TableName: deps.table,
          Key: keys.domain(c.domain),
          ConditionExpression: 'organization_id = :org',
          ExpressionAttributeValues: { ':org': org.id },
        },
      };
  }
  return org.domains_version === undefined
    ? { items, condition: 'attribute_not_exists(domains_version)', values: {} }
    : {
        items,
        condition: 'domains_version = :domainsVersion',
        values: { ':domainsVersion': org.domains_version },
      };
}
