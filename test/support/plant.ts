/**
 * Plants one instance of each break of issue 14 in a table, item by item (no service involved), so the invariant
 * checker and `npm run check-invariants` can be shown to find each of them. Returns what each break should read like.
 */
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../functions/shared/db.ts';
import { ENTITY, keys, memberListKeys } from '../../functions/shared/table.ts';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:10:00.000Z';
const T2 = '2026-01-01T00:20:00.000Z';
const admin = { organization: [{ role_id: 'organization-admin', organization_id: 'org-planted' }] };
const billing = { organization: [{ role_id: 'billing-admin', organization_id: 'org-planted' }] };

const invitation = (email: string, extra: Record<string, unknown>) => ({
  ...keys.invitation('org-planted', email),
  entity: ENTITY.invitation,
  organization_id: 'org-planted',
  organization_name: 'Planted',
  email,
  token: `tok-${email.split('@')[0]}`,
  created_at: T0,
  expires_at: '2099-01-01T00:00:00.000Z',
  invited_by: 'u-admin',
  invited_by_email: 'admin@example.com',
  role_assignments: admin,
  email_status: 'sent',
  version: 2,
  ...extra,
});

const migration = (id: string, email: string, extra: Record<string, unknown>) => ({
  ...keys.migration(id),
  entity: ENTITY.migration,
  id,
  user_id: `u-${id}`,
  email,
  source_organization_id: 'org-gone',
  target_organization_id: 'org-planted',
  repository_id: 'repo',
  history: [],
  created_at: T0,
  updated_at: T1,
  left_at: T0,
  ...extra,
});

const listed = (userId: string, email: string) => ({
  organization_id: 'org-planted',
  user_id: userId,
  email,
  is_admin: false,
});

const domainClaim = (orgId: string, domain: string, status: 'pending' | 'verified') => ({
  ...keys.domainClaim(orgId, domain),
  entity: ENTITY.domainClaim,
  organization_id: orgId,
  domain,
  verification_code: 'org-verification=planted',
  status,
  created_at: T0,
  ...(status === 'verified' ? { verified_at: T1 } : {}),
});

const domainOwner = (domain: string, orgId: string) => ({
  ...keys.domain(domain),
  entity: ENTITY.domain,
  domain,
  organization_id: orgId,
  verified_at: T1,
});

/** An organization without members (counters at zero), with `extra` attributes. */
const emptyOrganization = (id: string, status: 'open' | 'closed', extra: Record<string, unknown>) => ({
  ...keys.organization(id),
  entity: ENTITY.organization,
  id,
  name: id,
  status,
  created_at: T0,
  created_by: 'u-gone',
  member_count: 0,
  admin_count: 0,
  active_resource_count: 0,
  pending_bill_count: 0,
  ...extra,
});

const roleMapping = (orgId: string, name: string, rule: unknown, roleAssignments: unknown) => ({
  ...keys.roleMapping(orgId, name),
  entity: ENTITY.roleMapping,
  organization_id: orgId,
  name,
  enabled: true,
  rule,
  role_assignments: roleAssignments,
  created_at: T0,
  updated_at: T0,
});

/** The planted items and, for each break, a fragment of the violation the checker must report. */
export function plantedBreaks() {
  const items: Record<string, unknown>[] = [
    // The organization and its one admin, consistent, so only the planted breaks are violations.
    {
      ...keys.organization('org-planted'),
      entity: ENTITY.organization,
      id: 'org-planted',
      name: 'Planted',
      status: 'open',
      created_at: T0,
      created_by: 'u-admin',
      member_count: 2,
      admin_count: 1,
      active_resource_count: 0,
      pending_bill_count: 0,
      domain_claim_count: 1,
    },
    {
      ...keys.user('u-admin'),
      entity: ENTITY.user,
      user_id: 'u-admin',
      email: 'admin@example.com',
      created_at: T0,
      organization_id: 'org-planted',
    },
    // 7. An owner the member lists still rank as a member (a promotion that did not move them first).
    {
      ...keys.membership('org-planted', 'u-admin'),
      ...memberListKeys({ ...listed('u-admin', 'admin@example.com'), is_admin: false }),
      entity: ENTITY.membership,
      organization_id: 'org-planted',
      user_id: 'u-admin',
      email: 'admin@example.com',
      member_since: T0,
      role_assignments: admin,
      is_admin: true,
      version: 1,
    },
    // 1. A role change lost: the invitation says billing-admin, the membership that came from it organization-admin.
    invitation('lost@example.com', {
      status: 'accepted',
      accepted_at: T1,
      accepted_by: 'u-lost',
      role_assignments: billing,
      version: 3,
    }),
    {
      ...keys.user('u-lost'),
      entity: ENTITY.user,
      user_id: 'u-lost',
      email: 'lost@example.com',
      created_at: T0,
      organization_id: 'org-planted',
    },
    {
      ...keys.membership('org-planted', 'u-lost'),
      ...memberListKeys(listed('u-lost', 'lost@example.com')),
      entity: ENTITY.membership,
      organization_id: 'org-planted',
      user_id: 'u-lost',
      email: 'lost@example.com',
      member_since: T1,
      role_assignments: admin,
      is_admin: false,
      version: 1,
      joined_via: { token: 'tok-lost', version: 2 },
      // And marked as joined through SSO, with no SSO identity to have signed in with.
      joined_through: 'sso',
    },
    // An SSO identity of an organization that does not exist; a bridge code that would never expire.
    {
      ...keys.ssoIdentity('org-gone', 'subject-gone'),
      entity: ENTITY.ssoIdentity,
      organization_id: 'org-gone',
      subject: 'subject-gone',
      user_id: 'u-gone',
      email: 'gone@example.com',
      linked: 'joined',
      created_at: T0,
      last_sign_in_at: T0,
    },
    {
      ...keys.ssoCode('code-forever'),
      entity: ENTITY.ssoCode,
      client_id: 'c',
      redirect_uri: 'https://x.test/cb',
    },
    // 2. A migration stalled: waiting on an invitation already accepted; another waiting with no task token stored.
    migration('m-stalled', 'stalled@example.com', {
      status: 'running',
      current_step: 'Wait for invitation acceptance',
      history: [
        { step: 'Wait for invitation acceptance', status: 'waiting', started_at: T1, finished_at: T1 },
      ],
    }),
    invitation('stalled@example.com', { status: 'accepted', accepted_at: T1, accepted_by: 'u-m-stalled' }),
    migration('m-tokenless', 'tokenless@example.com', {
      status: 'running',
      current_step: 'Wait for invitation acceptance',
      history: [
        { step: 'Wait for invitation acceptance', status: 'waiting', started_at: T1, finished_at: T1 },
      ],
    }),
    invitation('tokenless@example.com', { status: 'pending' }),
    // Not a break: a wait whose task is still storing its token (or being retried) has no 'waiting' entry yet.
    migration('m-entering', 'entering@example.com', {
      status: 'running',
      current_step: 'Wait for invitation acceptance',
    }),
    invitation('entering@example.com', { status: 'pending' }),
    // 3. Someone else completed a migration: another account accepted its invitation; the user is nowhere.
    migration('m-taken', 'taken@example.com', {
      status: 'succeeded',
      current_step: 'Migration succeeded',
      finished_at: T2,
    }),
    invitation('taken@example.com', {
      status: 'accepted',
      accepted_at: T1,
      accepted_by: 'u-someone-else',
      reserved_for: 'u-m-taken',
    }),
    {
      ...keys.user('u-m-taken'),
      entity: ENTITY.user,
      user_id: 'u-m-taken',
      email: 'taken@example.com',
      created_at: T0,
    },
    // 4 and 6. Addresses stored in a form the edge refuses: a KELVIN SIGN look-alike, and 255 characters.
    {
      ...keys.user('u-kelvin'),
      entity: ENTITY.user,
      user_id: 'u-kelvin',
      email: '\u212Aate@example.com',
      created_at: T0,
    },
    {
      ...keys.user('u-long'),
      entity: ENTITY.user,
      user_id: 'u-long',
      email: `${'a'.repeat(64)}@${'b'.repeat(186)}.com`,
      created_at: T0,
    },
    // 7. Claimed domains: a verified claim whose domain item is missing, a domain item without its claim, and a closed
    // organization still owning a domain (its claim and count consistent, so only that is a violation).
    domainClaim('org-planted', 'unowned.test', 'verified'),
    domainOwner('orphan.test', 'org-planted'),
    emptyOrganization('org-closed', 'closed', { domain_claim_count: 1 }),
    domainClaim('org-closed', 'closed.test', 'verified'),
    domainOwner('closed.test', 'org-closed'),
    // 8. SSO: an open organization with an identity provider and no verified domain (no members, counters consistent);
    // a role mapping with both "any" and "all", one granting a role in another organization, one of no organization.
    emptyOrganization('org-idp', 'open', {
      idp: { enabled: true, issuer: 'https://idp.test', sso_url: 'https://idp.test/sso', certificates: [] },
    }),
    roleMapping('org-planted', 'ambiguous', { any: [{ group: 'a' }], all: [{ group: 'b' }] }, admin),
    roleMapping(
      'org-planted',
      'foreign',
      { any: [{ group: 'a' }] },
      {
        organization: [{ role_id: 'organization-admin', organization_id: 'org-other' }],
      },
    ),
    roleMapping('org-nowhere', 'lost', { any: [{ group: 'a' }] }, {}),
  ];
  const expected = [
    'membership of u-lost in org-planted has roles',
    'migration m-stalled is running at "Wait for invitation acceptance" but its invitation is already accepted',
    'migration m-tokenless is running at "Wait for invitation acceptance" but its invitation holds no task token',
    "migration m-taken's invitation to org-planted was accepted by u-someone-else, not by the migrating user u-m-taken",
    'migration m-taken succeeded but its user u-m-taken is not a member of its target org-planted',
    'invitation for taken@example.com in org-planted is reserved for u-m-taken but was accepted by u-someone-else',
    'USER#u-kelvin USER stores the address',
    'USER#u-long USER stores the address',
    'membership of u-admin in org-planted is misplaced in the member lists (gsi1sk',
    "organization org-planted's verified claim on unowned.test has the domain owned by nobody",
    'domain orphan.test is owned by org-planted without its verified claim',
    'domain closed.test is owned by org-closed, which is not an open organization',
    'organization org-idp has an identity provider but no verified domain',
    'role mapping "ambiguous" of org-planted is malformed: its rule has all and any',
    'role mapping "foreign" of org-planted is malformed: role_assignments.organization[0].organization_id must be this organization',
    'role mapping "lost" of org-nowhere belongs to no organization',
    'SSO identity subject-gone belongs to no organization (org-gone)',
    'membership of u-lost in org-planted joined through SSO but has no SSO identity',
    'SsoCode SSO_CODE#code-forever SSO_CODE has no TTL',
  ];
  return { items, expected };
}

export async function plantBreaks(db: Db, table: string): Promise<string[]> {
  const { items, expected } = plantedBreaks();
  for (let i = 0; i < items.length; i += 25) {
    await db.send(
      new BatchWriteCommand({
        RequestItems: { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
      }),
    );
  }
  return expected;
}
