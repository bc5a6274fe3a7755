/**
 * The single table: its physical definition (shared by the CDK stack and the local bootstrap), the entity
 * types it stores, and every key. No other module builds a key string.
 *
 * Access patterns (also in the README):
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
 * | outbox email sends in one second          | pk=OUTBOX_RATE, sk=<epoch second>                  | UpdateItem (ADD)     |
 */

export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes expired items eventually (can lag days): reads always check times. */
  ttlAttribute: 'ttl',
  indexes: [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }],
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
  outboxRate: 'OutboxRate',
} as const;

export type Key = { pk: string; sk: string };

export const keys = {
  organization: (orgId: string): Key => ({ pk: `ORG#${orgId}`, sk: 'ORG' }),
  user: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'USER' }),
  membership: (orgId: string, userId: string): Key => ({ pk: `ORG#${orgId}`, sk: `MEMBER#${userId}` }),
  membersPrefix: (orgId: string) => ({ pk: `ORG#${orgId}`, skPrefix: 'MEMBER#' }),
  memberEmail: (orgId: string, email: string): Key => ({ pk: `ORG#${orgId}`, sk: `EMAIL#${email}` }),
  invitation: (orgId: string, email: string): Key => ({ pk: `ORG#${orgId}`, sk: `INVITATION#${email}` }),
  invitationsPrefix: (orgId: string) => ({ pk: `ORG#${orgId}`, skPrefix: 'INVITATION#' }),
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
  snapshotsPrefix: (repoId: string) => ({ pk: `REPO#${repoId}`, skPrefix: 'SNAPSHOT#' }),
  repositoriesPrefix: (userId: string) => ({ pk: `USER#${userId}`, skPrefix: 'REPO#' }),
  migration: (id: string): Key => ({ pk: `MIGRATION#${id}`, sk: 'MIGRATION' }),
  migrationsOfUser: (userId: string, createdAt: string) => ({
    gsi1pk: `USER#${userId}#MIGRATIONS`,
    gsi1sk: createdAt,
  }),
  /** One counter per second shared by every outbox invocation, so the email rate holds across shards. */
  outboxRate: (epochSecond: number): Key => ({ pk: 'OUTBOX_RATE', sk: String(epochSecond) }),
} as const;

/** Epoch seconds for the TTL attribute. */
export const ttlAt = (date: Date): number => Math.floor(date.getTime() / 1000);
