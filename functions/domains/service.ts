/**
 * Claimed domains (Elastic's `…/domains` routes): an organization-admin asks for a verification code, publishes it in a
 * DNS TXT record, and verifying reads the record and claims the domain. A domain belongs to at most one organization:
 * the verifying transaction puts the domain's item on the condition that no other organization holds it, so of two
 * organizations verifying at once exactly one commits. Every write holds the caller's role (`callerUnchanged`).
 */

import { callerUnchanged } from '../organizations/membership.ts';
import { requireOrgAdmin } from '../organizations/service.ts';
import { conditionsFailed, getItem, queryAll, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { DomainClaimItem, DomainItem, OrganizationItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { retryLostRace } from '../shared/races.ts';
import { ENTITY, keys, queries } from '../shared/table.ts';
import { resolveTxt, type TxtResolver, verificationRecordName } from './dns.ts';

/**
 * Claims (pending and verified) per organization. Closing an organization releases them all in one transaction beside
 * up to 25 leaving members (75 items): 10 claims and their 10 domains keep it under DynamoDB's 100.
 */
export const MAX_DOMAIN_CLAIMS = 10;
const ATTEMPTS = 5;

const retrying = <T>(attempt: () => Promise<T>): Promise<T> =>
  retryLostRace({ attempts: ATTEMPTS, exhausted: concurrentModification }, attempt);

const concurrentModification = () =>
  new ApiError(
    'org.domain_claim.concurrent_organization_modification',
    "The organization's domains or your roles kept changing while we saved this (other administrators are editing them). Nothing was changed; try again.",
  );

const claimedBy = (domain: string, ours: boolean) =>
  new ApiError(
    'org.domain_claim.already_exists',
    ours
      ? `${domain} is already claimed by this organization.`
      : `${domain} is claimed by another organization. A domain belongs to one organization at a time: that organization must delete its claim first.`,
    ['domain_claim_request'],
  );

export const idpConfigured = () =>
  new ApiError(
    'org.idp.idp_configured',
    'An identity provider is configured for this organization and signs people in by its claimed domains. Remove the identity provider first.',
  );

const noCode = (domain: string) =>
  new ApiError(
    'root.invalid_data',
    `There is no verification code for ${domain} in this organization: generate one first (POST …/domains/_generate_verification_code), publish it, then verify.`,
    ['domain_claim_request'],
  );

/** The organization's verified domains, sorted. */
export async function listDomains(deps: Deps, caller: Caller, orgId: string): Promise<string[]> {
  await requireOrgAdmin(deps, orgId, caller);
  const claims = await queryAll<DomainClaimItem>(deps.db, deps.table, queries.domainClaims(orgId));
  return claims
    .filter((c) => c.status === 'verified')
    .map((c) => c.domain)
    .sort();
}

/**
 * The code to publish for `domain`. A pending claim keeps its code, so asking again never invalidates a record
 * already published. Refused when this organization already holds the domain, when another one does (a read: only
 * verifying decides), and beyond `MAX_DOMAIN_CLAIMS`.
 */
export async function generateVerificationCode(
  deps: Deps,
  caller: Caller,
  orgId: string,
  domain: string,
): Promise<{ verification: string; record: string }> {
  const record = verificationRecordName(domain);
  return retrying(async () => {
    const { org, membership } = await requireOrgAdmin(deps, orgId, caller);
    const claim = await getItem<DomainClaimItem>(deps.db, deps.table, keys.domainClaim(orgId, domain));
    if (claim?.status === 'verified') throw claimedBy(domain, true);
    if (claim) return { verification: claim.verification_code, record };
    const owner = await getItem<DomainItem>(deps.db, deps.table, keys.domain(domain));
    if (owner) throw claimedBy(domain, owner.organization_id === orgId);
    if ((org.domain_claim_count ?? 0) >= MAX_DOMAIN_CLAIMS) throw limitReached();
    const item: DomainClaimItem = {
      entity: ENTITY.domainClaim,
      organization_id: orgId,
      domain,
      verification_code: `org-verification=${deps.newToken()}`,
      status: 'pending',
      created_at: deps.now().toISOString(),
    };
    await transact(deps.db, {
      organization: claimsChange(deps, orgId, +1),
      claim: {
        Put: {
          TableName: deps.table,
          Item: { ...keys.domainClaim(orgId, domain), ...item },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      ...callerUnchanged(deps, membership),
    });
    return { verification: item.verification_code, record };
  });
}

const limitReached = () =>
  new ApiError(
    'org.domain_claim.limit_reached',
    `An organization can hold at most ${MAX_DOMAIN_CLAIMS} domain claims, pending or verified. Delete one it no longer needs first.`,
    ['domain_claim_request'],
  );

/**
 * The organization item's part of a change to its claims: open (a lost race otherwise: the retry reads it and answers
 * 404), at most `MAX_DOMAIN_CLAIMS` when adding one, its version bumped (`release.ts`), and, when removing a claim,
 * no identity provider (`idp`, set by `idp/service.ts`, which holds a verified claim when it sets it).
 */
function claimsChange(deps: Deps, orgId: string, add: -1 | 0 | 1) {
  return {
    Update: {
      TableName: deps.table,
      Key: keys.organization(orgId),
      UpdateExpression: 'ADD domains_version :one, domain_claim_count :add',
      ConditionExpression: [
        '#status = :open',
        add > 0 ? '(attribute_not_exists(domain_claim_count) OR domain_claim_count < :max)' : '',
        add < 0 ? 'attribute_not_exists(idp)' : '',
      ]
        .filter(Boolean)
        .join(' AND '),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':one': 1,
        ':add': add,
        ':open': 'open',
        ...(add > 0 ? { ':max': MAX_DOMAIN_CLAIMS } : {}),
      },
    },
  };
}

/**
 * Verify the claim: the TXT record must carry the code now (449 otherwise, saying what to publish), and the domain
 * must be free or already ours when the transaction commits (400 `org.domain_claim.already_exists` otherwise). Verifying
 * a verified claim again answers as the first time did.
 */
export async function verifyDomain(
  deps: Deps,
  caller: Caller,
  orgId: string,
  domain: string,
  resolve: TxtResolver = resolveTxt,
): Promise<void> {
  await retrying(async () => {
    const { membership } = await requireOrgAdmin(deps, orgId, caller);
    const claim = await getItem<DomainClaimItem>(deps.db, deps.table, keys.domainClaim(orgId, domain));
    if (!claim) throw noCode(domain);
    if (claim.status === 'verified') return;
    const record = verificationRecordName(domain);
    const lookup = await resolve(record);
    if ('error' in lookup || !lookup.values.includes(claim.verification_code))
      throw notVisibleYet(record, claim.verification_code, lookup);
    const now = deps.now().toISOString();
    const owner: DomainItem = { entity: ENTITY.domain, domain, organization_id: orgId, verified_at: now };
    try {
      await transact(deps.db, {
        organization: claimsChange(deps, orgId, 0),
        claim: {
          Update: {
            TableName: deps.table,
            Key: keys.domainClaim(orgId, domain),
            UpdateExpression: 'SET #status = :verified, verified_at = :now',
            ConditionExpression: '#status = :pending AND verification_code = :code',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':verified': 'verified',
              ':pending': 'pending',
              ':now': now,
              ':code': claim.verification_code,
            },
          },
        },
        // The one-organization-per-domain rule: decided here, by DynamoDB, never by the read above.
        domain: {
          Put: {
            TableName: deps.table,
            Item: { ...keys.domain(domain), ...owner },
            ConditionExpression: 'attribute_not_exists(pk) OR organization_id = :org',
            ExpressionAttributeValues: { ':org': orgId },
          },
        },
        ...callerUnchanged(deps, membership),
      });
    } catch (e) {
      if (conditionsFailed(e)?.has('domain')) throw claimedBy(domain, false);
      throw e; // anything else that failed is a lost race: read again and decide again
    }
  });
}

function notVisibleYet(record: string, code: string, lookup: { values: string[] } | { error: string }) {
  const seen =
    'error' in lookup
      ? `The DNS lookup failed (${lookup.error}).`
      : lookup.values.length
        ? `It has ${lookup.values.length} TXT value(s), none of them this code.`
        : 'It has no TXT record yet.';
  return new ApiError(
    'org.domain_claim.verification_pending',
    `We could not find the verification code in DNS yet. ${seen} Publish a TXT record named ${record} with the value ${code}, then retry: DNS changes can take minutes to be visible.`,
    ['domain_claim_request'],
  );
}

/**
 * Delete the claim on `domain`, pending or verified; a verified domain is released in the same transaction, free for
 * any organization to claim. Deleting a claim there is not answers 200 (nothing to release).
 */
export async function deleteDomainClaim(
  deps: Deps,
  caller: Caller,
  orgId: string,
  domain: string,
): Promise<void> {
  await retrying(async () => {
    const { org, membership } = await requireOrgAdmin(deps, orgId, caller);
    if (hasIdp(org)) throw idpConfigured();
    const claim = await getItem<DomainClaimItem>(deps.db, deps.table, keys.domainClaim(orgId, domain));
    if (!claim) return;
    await transact(deps.db, {
      organization: claimsChange(deps, orgId, -1),
      claim: {
        Delete: {
          TableName: deps.table,
          Key: keys.domainClaim(orgId, domain),
          ConditionExpression: '#status = :status AND verification_code = :code',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': claim.status, ':code': claim.verification_code },
        },
      },
      ...(claim.status === 'verified'
        ? {
            domain: {
              Delete: {
                TableName: deps.table,
                Key: keys.domain(domain),
                ConditionExpression: 'organization_id = :org',
                ExpressionAttributeValues: { ':org': orgId },
              },
            },
          }
        : {}),
      ...callerUnchanged(deps, membership),
    });
  });
}

/** An identity provider (`idp/`) signs people in by the organization's domains: none may go while it is set. */
const hasIdp = (org: OrganizationItem): boolean => org.idp !== undefined;
