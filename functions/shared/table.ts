/**
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
 * | members of an organization (paged)        | pk=ORG#<org>, sk begins_with MEMBER#               | Query                |
 * | is this address a member of the org?      | pk=ORG#<org>, sk=EMAIL#<email>                     | BatchGetItem         |
 * | invitation for an address in an org       | pk=ORG#<org>, sk=INVITATION#<email>                | BatchGetItem         |
 * | invitations of an organization            | pk=ORG#<org>, sk begins_with INVITATION#           | Query                |
 * | invitation by token                       | gsi1: gsi1pk=INVITATION#<token>                    | Query (1 item)       |
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
 */

const GSI1 = 'gsi1';

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes expired items eventually (can lag days): reads always check times. */
  ttlAttribute: 'ttl',
  indexes: [{ indexName: GSI1, partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
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
} as const;

export type Key = { pk: string; sk: string };

export const keys = {
  organization: (orgId: string): Key => ({ pk: `ORG#${orgId}`, sk: 'ORG' }),
  user: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'USER' }),
  membership: (orgId: string, userId: string): Key => ({ pk: `ORG#${orgId}`, sk: `MEMBER#${userId}` }),
  memberEmail: (orgId: string, email: string): Key => ({ pk: `ORG#${orgId}`, sk: `EMAIL#${email}` }),
  invitation: (orgId: string, email: string): Key => ({ pk: `ORG#${orgId}`, sk: `INVITATION#${email}` }),
  invitationByToken: (token: string) => ({ gsi1pk: `INVITATION#${token}`, gsi1sk: 'INVITATION' }),
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
} as const;

/**
 * A Query an access pattern runs, without the table name. `range` (the partition and sort-key prefix) lets a page's
 * cursor be checked to point inside it.
 */
export interface QuerySpec {
  IndexName?: string;
  KeyConditionExpression: string;
  ExpressionAttributeValues: Record<string, string>;
  ScanIndexForward?: boolean;
  range?: { pk: string; skPrefix: string };
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
  bills: (orgId: string) => under(keys.organization(orgId).pk, 'BILL#'),
  domainClaims: (orgId: string) => under(keys.organization(orgId).pk, 'DOMAIN_CLAIM#'),
  roleMappings: (orgId: string) => under(keys.organization(orgId).pk, 'ROLE_MAPPING#'),
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
  /** Newest first. */
  migrationsOfUser: (userId: string): QuerySpec => ({
    IndexName: GSI1,
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.migrationsOfUser(userId, '').gsi1pk },
    ScanIndexForward: false,
  }),
} as const;

/** Epoch seconds for the TTL attribute. */
export const ttlAt = (date: Date): number => Math.floor(date.getTime() / 1000);
