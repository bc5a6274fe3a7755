/**
 * Longer than 300 lines on purpose: every key and access pattern of the single table in one place, read as a whole.
 * The single table: its physical definition (shared by the CDK stack and the local bootstrap), the entity
 * types it stores, every key, and every access pattern that reads more than one item (`queries`). No other module
 * builds a key string, names the index or writes a key condition (test/unit/table.test.ts checks).
 *
 * Access patterns (also in docs/architecture.md):
 * | pattern                                   | key / index                                        | operation            |
 * |-------------------------------------------|----------------------------------------------------|----------------------|
 * | organization by id                        | pk=ORG#<org>, sk=ORG                               | GetItem              |
 * | user (and their organization lock) by id  | pk=USER#<user>, sk=USER                            | GetItem              |
 * | membership of a user in an organization   | pk=ORG#<org>, sk=MEMBER#<user>                     | GetItem              |
 * | members of an organization (every one)    | pk=ORG#<org>, sk begins_with MEMBER#               | Query                |
 * | members listed: owners first, then name   | gsi1: gsi1pk=ORG#<org>#MEMBERS, gsi1sk=<rank>#<name>␁<user> | Query (a page) |
 * | members listed by name / name prefix      | gsi2: gsi2pk=ORG#<org>#MEMBERS, gsi2sk=<name>␁<user> | Query (a page)     |
 * | members listed by email / email prefix    | gsi3: gsi3pk=ORG#<org>#MEMBERS, gsi3sk=<email>␁<user> | Query (a page)    |
 * | is this address a member of the org?      | pk=ORG#<org>, sk=EMAIL#<email>                     | BatchGetItem         |
 * | invitation for an address in an org       | pk=ORG#<org>, sk=INVITATION#<email>                | BatchGetItem         |
 * | invitations of an organization            | pk=ORG#<org>, sk begins_with INVITATION#           | Query                |
 * | invitation by token                       | gsi1: gsi1pk=INVITATION#<token>                    | Query (1 item)       |
 * | invitations sent to an address (any org)  | gsi2: gsi2pk=INVITEE#<email>, gsi2sk=ORG#<org>     | Query                |
 * | invitation rate window of an org          | pk=ORG#<org>, sk=INVITE_RATE#<hour>                | UpdateItem (ADD)     |
 * | deployments / projects / bills of an org  | pk=ORG#<org>, sk begins_with DEPLOYMENT#|PROJECT#|BILL# | Query           |
 * | snapshot repositories of a user           | pk=USER#<user>, sk begins_with REPO#               | Query                |
 * | snapshots in a repository                 | pk=REPO#<repo>, sk=SNAPSHOT#<migration>#<kind>#<id> | Get / Query          |
 * | migration by id                           | pk=MIGRATION#<id>, sk=MIGRATION                    | GetItem              |
 * | migrations of a user, newest first        | gsi1: gsi1pk=USER#<user>#MIGRATIONS, gsi1sk=<time> | Query                |
 * | outbox email schedule (next free slot)     | pk=OUTBOX_RATE, sk=SCHEDULE                        | UpdateItem (cond.)   |
 * | an organization's claim on a domain       | pk=ORG#<org>, sk=DOMAIN_CLAIM#<domain>             | GetItem              |
 * | claims of an organization                 | pk=ORG#<org>, sk begins_with DOMAIN_CLAIM#         | Query                |
 * | which organization owns a domain          | pk=DOMAIN#<domain>, sk=DOMAIN                      | Put/Delete (cond.)   |
 * | role mappings of an organization (by name) | pk=ORG#<org>, sk begins_with ROLE_MAPPING#         | Query                |
 * | an SSO identity (IdP + NameID) of an org   | pk=ORG#<org>, sk=SSO_IDENTITY#<hash>               | GetItem / Put (cond.) |
 * | an SSO sign-in in flight                  | pk=SSO_REQUEST#<id>, sk=SSO_REQUEST                | Get / Delete (cond.) |
 * | an SSO bridge authorization code          | pk=SSO_CODE#<hash>, sk=SSO_CODE                    | Delete (cond.)       |
 * | a SAML assertion already accepted         | pk=SAML_ASSERTION#<org>, sk=<assertion id>         | Put (cond.)          |
 * | a POST's Idempotency-Key and its answer    | pk=IDEMPOTENCY#<caller>#<route>#<key>, sk=IDEMPOTENCY | Put (cond.) / Get / Update / Delete |
 * | an API key by id (each request using it)  | pk=API_KEY#<id>, sk=API_KEY                        | GetItem / Update (cond.) |
 * | API keys of a user, newest first          | gsi1: gsi1pk=USER#<user>#API_KEYS, gsi1sk=<created> | Query               |
 * | an organization's SCIM token (its hash)   | pk=ORG#<org>, sk=SCIM_TOKEN                        | GetItem / Put        |
 * | a SCIM user / group of an organization    | pk=ORG#<org>, sk=SCIM_USER#<id> / SCIM_GROUP#<id>  | Get / Put (cond.)    |
 * | SCIM users / groups of an organization    | pk=ORG#<org>, sk begins_with SCIM_USER# / SCIM_GROUP# | Query             |
 *
 * The three member lists are index attributes on the membership item itself (`memberListKeys`), written by the same
 * Put or Update that writes the membership, and gone with its Delete: no second item to keep in step, and a role
 * change that makes or unmakes an owner moves the member in the owners-first list in the same conditional update.
 * `<rank>` is 0 for an organization-admin, 1 otherwise; `<name>` is `searchKey(name)`, or the address when the member
 * has no name. Membership items written before these lists lack the attributes: `npm run check-invariants -- --repair`
 * adds them (conditioned on the version read), and any role change writes them too. The indexes are overloaded, as
 * single-table indexes are: gsi1 and gsi2 also hold invitations (by token, by invitee) and migrations, under other
 * partition keys.
 */

const GSI1 = 'gsi1';
/** Invitations by the address they were sent to, and the member lists by name. */
const GSI2 = 'gsi2';
/** The member lists by email. */
const GSI3 = 'gsi3';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes expired items eventually (can lag days): reads always check times. */
  ttlAttribute: 'ttl',
  // gsi3 came with the member lists (#23). CloudFormation adds one index per table update: a stage created before
  // gsi2 and gsi3 is deployed twice, first with `-c tableIndexes=2` (infra/constructs/table.ts).
  indexes: [
    { indexName: GSI1, partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { indexName: GSI2, partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { indexName: GSI3, partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
  /** The outbox reads every change with both images: side effects are derived from what a write changed. */
  streamViewType: 'NEW_AND_OLD_IMAGES',
} as const;

export const ENTITY = {
  organization: 'Organization',
  user: 'User',
  membership: 'Membership',
  memberEmail: 'MemberEmail',
  invitation: 'Invitation',
  inviteRate: 'InviteRate',
  deployment: 'Deployment',
  project: 'Project',
  bill: 'Bill',
  snapshotRepository: 'SnapshotRepository',
  snapshot: 'Snapshot',
  migration: 'Migration',
  outboxSendRate: 'OutboxSendRate',
  domainClaim: 'DomainClaim',
  domain: 'Domain',
  roleMapping: 'RoleMapping',
  ssoIdentity: 'SsoIdentity',
  ssoRequest: 'SsoRequest',
  ssoCode: 'SsoCode',
  samlAssertion: 'SamlAssertion',
  apiKey: 'ApiKey',
  scimToken: 'ScimToken',
  scimUser: 'ScimUser',
  scimGroup: 'ScimGroup',
} as const;

export type Key = { pk: string; sk: string };

/** How many characters of a name a sort key keeps (names are up to 200; a search is at most this long). */
export const SEARCH_KEY_CHARS = 100;

/**
 * A name or address as the member lists sort and search it: without case, accents or width (NFKD, marks dropped,
 * lower case), white space collapsed, at most `SEARCH_KEY_CHARS` characters. A search prefix goes through the same.
 */
export const searchKey = (text: string): string =>
  [
    ...text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .normalize('NFC')
      .toLowerCase()
      .replace(/\s+/gu, ' ')
      .trim(),
  ]
    .slice(0, SEARCH_KEY_CHARS)
    .join('');

/** What places a member in the member lists: the membership's own attributes. */
export interface MemberListed {
  organization_id: string;
  user_id: string;
  email: string;
  name?: string;
  is_admin: boolean;
}

export type MemberSort = 'role' | 'name' | 'email';
const MEMBER_LISTS: Record<MemberSort, { index: string; pk: string; sk: string }> = {
  role: { index: GSI1, pk: 'gsi1pk', sk: 'gsi1sk' },
  name: { index: GSI2, pk: 'gsi2pk', sk: 'gsi2sk' },
  email: { index: GSI3, pk: 'gsi3pk', sk: 'gsi3sk' },
};
const membersPk = (orgId: string) => `ORG#${orgId}#MEMBERS`;

/**
 * Between a list key's name (or address) and the user id: U+0001, which sorts before every character a name or an
 * address may hold and which neither may hold (display text refuses control characters), so "Aaron" sorts before
 * "Aaron B" and a search for a prefix matches names only, never a user id behind a `#`.
 */
const LIST_KEY_END = '\u0001';

/** The index attributes a membership item carries (see the access patterns above). */
export function memberListKeys(m: MemberListed): Record<string, string> {
  const name = searchKey(m.name ?? '') || m.email;
  const pk = membersPk(m.organization_id);
  return {
    gsi1pk: pk,
    gsi1sk: `${m.is_admin ? 0 : 1}#${name}${LIST_KEY_END}${m.user_id}`,
    gsi2pk: pk,
    gsi2sk: `${name}${LIST_KEY_END}${m.user_id}`,
    gsi3pk: pk,
    gsi3sk: `${m.email}${LIST_KEY_END}${m.user_id}`,
  };
}

/** The list key attributes a stored membership item lacks or holds with another value than its attributes give. */
export const misplacedListKeys = (item: Record<string, unknown> & MemberListed): string[] =>
  Object.entries(memberListKeys(item))
    .filter(([name, value]) => item[name] !== value)
    .map(([name]) => name);

/** `SET` clauses (and their values) that write `memberListKeys` in an UpdateExpression. */
export function setMemberListKeys(m: MemberListed): { clauses: string[]; values: Record<string, string> } {
  const attrs = Object.entries(memberListKeys(m));
  return {
    clauses: attrs.map(([name]) => `${name} = :list_${name}`),
    values: Object.fromEntries(attrs.map(([name, value]) => [`:list_${name}`, value])),
  };
}

const IDEMPOTENCY = 'IDEMPOTENCY';

export const keys = {
  organization: (orgId: string): Key => ({ pk: `ORG#${orgId}`, sk: 'ORG' }),
  user: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'USER' }),
  membership: (orgId: string, userId: string): Key => ({ pk: `ORG#${orgId}`, sk: `MEMBER#${userId}` }),
  memberEmail: (orgId: string, email: string): Key => ({ pk: `ORG#${orgId}`, sk: `EMAIL#${email}` }),
  invitation: (orgId: string, email: string): Key => ({ pk: `ORG#${orgId}`, sk: `INVITATION#${email}` }),
  invitationByToken: (token: string) => ({ gsi1pk: `INVITATION#${token}`, gsi1sk: 'INVITATION' }),
  /** On the invitation item itself: an address's invitations from every organization, one Query (`queries`). */
  invitationByInvitee: (email: string, orgId: string) => ({
    gsi2pk: `INVITEE#${email}`,
    gsi2sk: `ORG#${orgId}`,
  }),
  inviteRate: (orgId: string, hour: string): Key => ({ pk: `ORG#${orgId}`, sk: `INVITE_RATE#${hour}` }),
  deployment: (orgId: string, id: string): Key => ({ pk: `ORG#${orgId}`, sk: `DEPLOYMENT#${id}` }),
  project: (orgId: string, id: string): Key => ({ pk: `ORG#${orgId}`, sk: `PROJECT#${id}` }),
  resource: (kind: 'deployment' | 'project', orgId: string, id: string): Key =>
    kind === 'deployment' ? keys.deployment(orgId, id) : keys.project(orgId, id),
  bill: (orgId: string, id: string): Key => ({ pk: `ORG#${orgId}`, sk: `BILL#${id}` }),
  snapshotRepository: (userId: string, repoId: string): Key => ({
    pk: `USER#${userId}`,
    sk: `REPO#${repoId}`,
  }),
  /** One snapshot per (migration, resource): a retried backup overwrites its own snapshot, never another's. */
  snapshot: (repoId: string, migrationId: string, kind: string, sourceId: string): Key => ({
    pk: `REPO#${repoId}`,
    sk: `SNAPSHOT#${migrationId}#${kind}#${sourceId}`,
  }),
  migration: (id: string): Key => ({ pk: `MIGRATION#${id}`, sk: 'MIGRATION' }),
  migrationsOfUser: (userId: string, createdAt: string) => ({
    gsi1pk: `USER#${userId}#MIGRATIONS`,
    gsi1sk: createdAt,
  }),
  /** The email schedule shared by every outbox invocation, so one rate holds across shards (`outbox/send-rate.ts`). */
  outboxSendRate: (): Key => ({ pk: 'OUTBOX_RATE', sk: 'SCHEDULE' }),
  /** An organization's claim on a domain: its verification code, pending until the TXT record is seen. */
  domainClaim: (orgId: string, domain: string): Key => ({ pk: `ORG#${orgId}`, sk: `DOMAIN_CLAIM#${domain}` }),
  /** The one owner of a verified domain: written only with a condition, so two organizations never both hold it. */
  domain: (domain: string): Key => ({ pk: `DOMAIN#${domain}`, sk: 'DOMAIN' }),
  /** One SSO role mapping of an organization, by its name (`role-mappings/`). */
  roleMapping: (orgId: string, name: string): Key => ({ pk: `ORG#${orgId}`, sk: `ROLE_MAPPING#${name}` }),
  /** A person as an organization's IdP knows them (a hash of its issuer and NameID), and the user id they sign in as. */
  ssoIdentity: (orgId: string, subject: string): Key => ({
    pk: `ORG#${orgId}`,
    sk: `SSO_IDENTITY#${subject}`,
  }),
  /** A sign-in in flight: the AuthnRequest sent to the IdP and the OpenID Connect request it answers (TTL minutes). */
  ssoRequest: (id: string): Key => ({ pk: `SSO_REQUEST#${id}`, sk: 'SSO_REQUEST' }),
  /** An authorization code of the SSO bridge, by its hash: taken once, by a conditional delete (TTL minutes). */
  ssoCode: (codeHash: string): Key => ({ pk: `SSO_CODE#${codeHash}`, sk: 'SSO_CODE' }),
  /** A SAML assertion id already accepted for an organization: put once, kept until the assertion expires. */
  samlAssertion: (orgId: string, assertionId: string): Key => ({
    pk: `SAML_ASSERTION#${orgId}`,
    sk: assertionId,
  }),
  /**
   * A POST sent with an `Idempotency-Key`: scoped by the caller (their user id, `anonymous` on public routes) and the
   * route, so nobody sees another's answer. Written by Powertools' idempotency utility (`shared/idempotency.ts`),
   * which writes no `entity`: `isIdempotencyRecord` tells these items (TTL 24 hours).
   */
  idempotency: (caller: string, routeKey: string, idempotencyKey: string): Key => ({
    pk: `${IDEMPOTENCY}#${caller}#${routeKey}#${idempotencyKey}`,
    sk: IDEMPOTENCY,
  }),
  /** An API key by its id (`shared/api-key.ts`): the hash of its secret, never the secret. */
  apiKey: (id: string): Key => ({ pk: `API_KEY#${id}`, sk: 'API_KEY' }),
  /** On the API key item: a user's keys, one Query (`queries.apiKeysOfUser`). */
  apiKeysOfUser: (userId: string, createdAt: string) => ({
    gsi1pk: `USER#${userId}#API_KEYS`,
    gsi1sk: createdAt,
  }),
  /** The organization's one SCIM bearer token, as its SHA-256 (`scim/token.ts`). */
  scimToken: (orgId: string): Key => ({ pk: `ORG#${orgId}`, sk: 'SCIM_TOKEN' }),
  /** A user its IdP provisioned through SCIM, linked to the user id they are a member as (`scim/users.ts`). */
  scimUser: (orgId: string, id: string): Key => ({ pk: `ORG#${orgId}`, sk: `SCIM_USER#${id}` }),
  /** A group its IdP pushed through SCIM, with its members' SCIM user ids (`scim/groups.ts`). */
  scimGroup: (orgId: string, id: string): Key => ({ pk: `ORG#${orgId}`, sk: `SCIM_GROUP#${id}` }),
} as const;

/** Every idempotency record's partition key, as an IAM `dynamodb:LeadingKeys` pattern (the functions' grant). */
export const IDEMPOTENCY_LEADING_KEYS = `${IDEMPOTENCY}#*`;
/** Whether an item is an idempotency record (`keys.idempotency`): they carry no `entity` attribute. */
export const isIdempotencyRecord = (item: Key): boolean =>
  item.sk === IDEMPOTENCY && item.pk.startsWith(`${IDEMPOTENCY}#`);

/**
 * The keys a page's cursor may hold: inside the partition and sort-key prefix queried; on an index, also the table
 * keys of the items that index holds (`table`), with the index's key attribute names.
 */
export interface QueryRange {
  pk: string;
  skPrefix: string;
  index?: { pkName: string; skName: string; table: { pk: string; skPrefix: string } };
}

/** A Query an access pattern runs, without the table name. `range` lets a page's cursor be checked to point inside it. */
export interface QuerySpec {
  IndexName?: string;
  KeyConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues: Record<string, string>;
  ScanIndexForward?: boolean;
  range?: QueryRange;
}

/** Items of one partition whose sort key starts with a prefix. */
const under = (pk: string, skPrefix: string): QuerySpec => ({
  KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
  ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix },
  range: { pk, skPrefix },
});

/** Every access pattern that reads more than one item (or reads through the index), as the query it runs. */
export const queries = {
  members: (orgId: string) => under(keys.organization(orgId).pk, 'MEMBER#'),
  invitations: (orgId: string) => under(keys.organization(orgId).pk, 'INVITATION#'),
  resources: (kind: 'deployment' | 'project', orgId: string) =>
    under(keys.organization(orgId).pk, kind === 'deployment' ? 'DEPLOYMENT#' : 'PROJECT#'),
  /**
   * A page of members in one of the lists, ascending or not, optionally only those whose name (`name`; the address
   * when the member has none) or address (`email`) starts with `prefix` (already `searchKey`ed). Not the owners-first
   * list: a prefix search runs over names or addresses, not ranks. An index: eventually consistent.
   */
  memberList: (orgId: string, sort: MemberSort, order: 'asc' | 'desc', prefix = ''): QuerySpec => {
    const list = MEMBER_LISTS[sort];
    if (prefix && sort === 'role') throw new Error('The owners-first list has no prefix search');
    const pk = membersPk(orgId);
    return {
      IndexName: list.index,
      KeyConditionExpression: prefix ? `#pk = :pk AND begins_with(#sk, :prefix)` : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': list.pk, ...(prefix ? { '#sk': list.sk } : {}) },
      ExpressionAttributeValues: { ':pk': pk, ...(prefix ? { ':prefix': prefix } : {}) },
      ScanIndexForward: order === 'asc',
      range: {
        pk,
        skPrefix: prefix,
        index: {
          pkName: list.pk,
          skName: list.sk,
          table: { pk: keys.organization(orgId).pk, skPrefix: 'MEMBER#' },
        },
      },
    };
  },
  bills: (orgId: string) => under(keys.organization(orgId).pk, 'BILL#'),
  domainClaims: (orgId: string) => under(keys.organization(orgId).pk, 'DOMAIN_CLAIM#'),
  roleMappings: (orgId: string) => under(keys.organization(orgId).pk, 'ROLE_MAPPING#'),
  scimUsers: (orgId: string) => under(keys.organization(orgId).pk, 'SCIM_USER#'),
  scimGroups: (orgId: string) => under(keys.organization(orgId).pk, 'SCIM_GROUP#'),
  repositories: (userId: string) => under(keys.user(userId).pk, 'REPO#'),
  snapshots: (repoId: string) => under(`REPO#${repoId}`, 'SNAPSHOT#'),
  /** At most one item: tokens are unique. The index is eventually consistent: writes' conditions decide. */
  invitationByToken: (token: string): QuerySpec => {
    const k = keys.invitationByToken(token);
    return {
      IndexName: GSI1,
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': k.gsi1pk, ':sk': k.gsi1sk },
    };
  },
  /**
   * Every invitation item sent to an address, whatever its status (accepted and revoked ones stay until TTL): the
   * caller keeps the pending ones. Eventually consistent like any index: accepting still checks the invitation itself.
   */
  invitationsOfInvitee: (email: string): QuerySpec => ({
    IndexName: GSI2,
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.invitationByInvitee(email, '').gsi2pk },
  }),
  /** Newest first. */
  migrationsOfUser: (userId: string): QuerySpec => ({
    IndexName: GSI1,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.migrationsOfUser(userId, '').gsi1pk },
    ScanIndexForward: false,
  }),
  /** Newest first; an index, eventually consistent (a key just made may be missing for a moment). */
  apiKeysOfUser: (userId: string): QuerySpec => ({
    IndexName: GSI1,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.apiKeysOfUser(userId, '').gsi1pk },
    ScanIndexForward: false,
  }),
} as const;

/** Epoch seconds for the TTL attribute. */
export const ttlAt = (date: Date): number => Math.floor(date.getTime() / 1000);
