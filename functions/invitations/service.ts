import { timingSafeEqual } from 'node:crypto';
import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { joinItems } from '../organizations/membership.ts';
import { alreadyBelongs, type Organization, orgNotFound, requireOrgAdmin } from '../organizations/service.ts';
import {
  batchGet,
  cancellationReasons,
  conditionsFailed,
  countOnOrganization,
  getItem,
  keyId,
  queryPrefix,
  stripKeys,
  updateIf,
} from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type {
  EmailStatus,
  InvitationItem,
  MembershipItem,
  OrganizationItem,
  UserItem,
} from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { METRIC } from '../shared/observability.ts';
import { isOrgAdmin, type RoleAssignments, sameRoles } from '../shared/roles.ts';
import { ENTITY, keys, TABLE, ttlAt } from '../shared/table.ts';

/** Expired and revoked invitations stay visible (as expired/revoked) this long before TTL may remove them. */
export const RETENTION_MS = 30 * 24 * 3600_000;
const MAX_WRITE_ATTEMPTS = 8;

/** The reference's `OrganizationInvitation`. */
export interface OrganizationInvitation {
  token: string;
  email: string;
  created_at: string;
  expires_at: string;
  expired: boolean;
  accepted_at?: string;
  organization: Organization;
  role_assignments: RoleAssignments;
}

export const isExpired = (inv: Pick<InvitationItem, 'expires_at'>, now: Date): boolean =>
  Date.parse(inv.expires_at) <= now.getTime();

export const toWire = (inv: InvitationItem, now: Date): OrganizationInvitation => ({
  token: inv.token,
  email: inv.email,
  created_at: inv.created_at,
  expires_at: inv.expires_at,
  expired: inv.status === 'pending' && isExpired(inv, now),
  ...(inv.accepted_at ? { accepted_at: inv.accepted_at } : {}),
  organization: { id: inv.organization_id, name: inv.organization_name },
  role_assignments: inv.role_assignments,
});

export const invitationNotFound = (
  message = 'Invitation not found. Ask an administrator to send a new invitation.',
) => new ApiError('organization.invitation_not_found', message);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const jitter = (attempt: number) => sleep(Math.random() * 20 * 2 ** attempt);

/** Cancelled only by conditions or by a concurrent transaction on the same items: worth re-reading and retrying. */
function isRaceLost(e: unknown): boolean {
  const reasons = cancellationReasons(e);
  if (reasons)
    return reasons.every(
      (r) => r === 'None' || r === 'ConditionalCheckFailed' || r === 'TransactionConflict',
    );
  return (e as Error)?.name === 'TransactionConflictException';
}

async function takeRateQuota(deps: Deps, orgId: string, count: number): Promise<() => Promise<void>> {
  const now = deps.now();
  const hour = now.toISOString().slice(0, 13);
  const limit = deps.inviteRateLimitPerHour;
  const retryAfter = String(3600 - Math.floor((now.getTime() % 3600_000) / 1000));
  const exceeded = () =>
    new ApiError(
      'organization.invitations_rate_limit_exceeded',
      `This organization can invite at most ${limit} addresses an hour. Try again later.`,
      undefined,
      { 'retry-after': retryAfter },
    );
  if (count > limit) throw exceeded();
  const key = keys.inviteRate(orgId, hour);
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: key,
        UpdateExpression: 'ADD #count :n SET entity = :entity, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(#count) OR #count <= :max',
        ExpressionAttributeNames: { '#count': 'count', '#ttl': TABLE.ttlAttribute },
        ExpressionAttributeValues: {
          ':n': count,
          ':max': limit - count,
          ':entity': ENTITY.inviteRate,
          ':ttl': ttlAt(new Date(now.getTime() + 2 * 3600_000)),
        },
      }),
    );
  } catch (e) {
    if ((e as Error).name === 'ConditionalCheckFailedException') throw exceeded();
    throw e;
  }
  // Give the quota back when nothing was written.
  return async () => {
    await deps.db
      .send(
        new UpdateCommand({
          TableName: deps.table,
          Key: key,
          UpdateExpression: 'ADD #count :neg',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':neg': -count },
        }),
      )
      .catch(() => undefined);
  };
}

export interface InviteInput {
  emails: string[];
  expiresInMs: number;
  /** Undefined: new invitations get no roles and refreshed ones keep theirs. */
  roleAssignments: RoleAssignments | undefined;
}

/**
 * Invite addresses to an organization (organization-admin only). Per address, in one transaction: a pending, unexpired
 * invitation is refreshed (new expiry, same token and roles unless new ones are given); anything else gets a new
 * invitation with a new token. Each is written with `email_status: queued`: the outbox (`functions/outbox/`) emails it
 * after the commit, at SES's sending rate, so the request answers as soon as the invitations are committed.
 */
export async function createInvitations(
  deps: Deps,
  caller: Caller,
  orgId: string,
  input: InviteInput,
): Promise<OrganizationInvitation[]> {
  let refund: (() => Promise<void>) | undefined;
  let written: InvitationItem[] | undefined;
  /** Each address's invitation version at the first read (0: none), to tell a concurrent refresh from an old one. */
  const firstSeen = new Map<string, number>();
  /** Addresses a concurrent invite already refreshed exactly as this request asks: nothing left to write for them. */
  const settled = new Map<string, InvitationItem>();
  try {
    for (let attempt = 0; !written; attempt++) {
      const orgKey = keys.organization(orgId);
      const callerKey = keys.membership(orgId, caller.userId);
      const invKeys = input.emails.map((e) => keys.invitation(orgId, e));
      const memberKeys = input.emails.map((e) => keys.memberEmail(orgId, e));
      const found = await batchGet(deps.db, deps.table, [orgKey, callerKey, ...invKeys, ...memberKeys]);

      const org = found.get(keyId(orgKey)) as OrganizationItem | undefined;
      if (org?.status !== 'open') throw orgNotFound();
      const me = found.get(keyId(callerKey)) as MembershipItem | undefined;
      if (!me) {
        throw new ApiError(
          'organization.user_organization_does_not_belong',
          'You are not a member of this organization.',
        );
      }
      if (!isOrgAdmin(me.role_assignments)) {
        throw new ApiError(
          'root.invalid_authentication',
          'Only an organization owner (organization-admin) can invite members.',
        );
      }
      const members = input.emails.filter((e) => found.has(keyId(keys.memberEmail(orgId, e))));
      if (members.length > 0) {
        throw new ApiError(
          'organization.user_organization_already_belongs',
          `Already a member of this organization: ${members.join(', ')}. Remove these addresses and try again.`,
          members,
        );
      }
      refund ??= await takeRateQuota(deps, orgId, input.emails.length);

      const now = deps.now();
      const expiresAt = new Date(now.getTime() + input.expiresInMs);
      for (const email of input.emails) {
        const existing = found.get(keyId(keys.invitation(orgId, email))) as InvitationItem | undefined;
        if (attempt === 0) firstSeen.set(email, existing?.version ?? 0);
        else if (existing && existing.version !== firstSeen.get(email)) {
          if (refreshedAsAsked(existing, input, expiresAt, now)) settled.set(email, existing);
        }
      }
      const toWrite = input.emails.filter((e) => !settled.has(e));
      const items: InvitationItem[] = [];
      const transactItems = toWrite.map((email) => {
        const key = keys.invitation(orgId, email);
        const existing = found.get(keyId(key)) as (InvitationItem & { version: number }) | undefined;
        const refresh = existing?.status === 'pending' && !isExpired(existing, now);
        const item: InvitationItem = {
          entity: ENTITY.invitation,
          organization_id: orgId,
          organization_name: org.name,
          email,
          token: refresh ? existing.token : deps.newToken(),
          status: 'pending',
          created_at: refresh ? existing.created_at : now.toISOString(),
          expires_at: expiresAt.toISOString(),
          invited_by: caller.userId,
          invited_by_email: caller.email,
          role_assignments: input.roleAssignments ?? (refresh ? existing.role_assignments : {}),
          email_status: 'queued',
          email_version: (existing?.version ?? 0) + 1,
          version: (existing?.version ?? 0) + 1,
          ...(refresh && existing.task_token ? { task_token: existing.task_token } : {}),
          ...(refresh && existing.reserved_for ? { reserved_for: existing.reserved_for } : {}),
          ttl: ttlAt(new Date(expiresAt.getTime() + RETENTION_MS)),
        };
        items.push(item);
        return {
          Put: {
            TableName: deps.table,
            Item: { ...key, ...keys.invitationByToken(item.token), ...item },
            ...(existing
              ? { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': existing.version } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        };
      });
      try {
        if (transactItems.length > 0)
          await deps.db.send(new TransactWriteCommand({ TransactItems: transactItems }));
        written = items;
      } catch (e) {
        // A concurrent invite of the same address won: read again, and refresh what it wrote unless it did just this.
        if (!isRaceLost(e)) throw e;
        if (attempt + 1 >= MAX_WRITE_ATTEMPTS) throw inviteConflict();
        await jitter(attempt);
      }
    }
  } catch (e) {
    await refund?.();
    throw e;
  }
  deps.metrics.count(METRIC.invitationsCreated, written.length); // new or refreshed, each emailed
  const now = deps.now();
  const byEmail = new Map([...settled, ...written.map((inv) => [inv.email, inv] as const)]);
  return input.emails.map((email) => toWire(byEmail.get(email)!, now));
}

/**
 * True when a concurrent invite already left the invitation as this request would: pending, the same roles (or none
 * asked), expiring within a minute of what this request would set. Answering with it is a refresh, as asked; writing
 * again would only lose more races against the same request sent many times at once.
 */
function refreshedAsAsked(existing: InvitationItem, input: InviteInput, expiresAt: Date, now: Date): boolean {
  return (
    existing.status === 'pending' &&
    !isExpired(existing, now) &&
    Math.abs(Date.parse(existing.expires_at) - expiresAt.getTime()) <= 60_000 &&
    (input.roleAssignments === undefined || sameRoles(existing.role_assignments, input.roleAssignments))
  );
}

const inviteConflict = () =>
  new ApiError(
    'organization.conflict',
    'These invitations kept changing while we saved them (other administrators are inviting the same addresses with other settings). Nothing of this request was saved; send it again.',
  );

/** The invitation a token belongs to (one GSI query), or undefined. */
export async function findByToken(deps: Deps, token: string): Promise<InvitationItem | undefined> {
  const k = keys.invitationByToken(token);
  const out = await deps.db.send(
    new QueryCommand({
      TableName: deps.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk',
      ExpressionAttributeValues: { ':pk': k.gsi1pk, ':sk': k.gsi1sk },
      Limit: 1,
    }),
  );
  const item = out.Items?.[0];
  return item ? stripKeys<InvitationItem>(item) : undefined;
}

/** Public lookup by token (the reference's GET): pending and accepted invitations; revoked and unknown are 404. */
export async function getInvitation(deps: Deps, token: string): Promise<OrganizationInvitation> {
  const inv = await findByToken(deps, token);
  if (!inv || inv.status === 'revoked') throw invitationNotFound();
  return toWire(inv, deps.now());
}

/** How often an accept re-reads and tries again after a lost race before answering 409. */
const MAX_ACCEPT_ATTEMPTS = 5;

/**
 * Accept an invitation: one transaction consumes it, takes the user's one-organization lock, creates the membership
 * with the invitation's roles and counts the member. The invitation is written on the condition that it is still the
 * version read, so the roles applied are the ones on the invitation when the accept commits (a re-invite that changed
 * them in between makes the accept read again), and a task token stored in between is seen. A workflow waiting on
 * the invitation is resumed by the outbox, from the stream record of this commit (old image: pending with the token).
 */
export async function acceptInvitation(deps: Deps, caller: Caller, token: string): Promise<void> {
  const found = await findByToken(deps, token); // the token index is eventually consistent: the write's condition decides
  if (!found || found.status === 'revoked') throw invitationNotFound();
  let inv = found;
  for (let attempt = 1; ; attempt++) {
    if (refuseAccept(deps, caller, inv) === 'ours') return;
    const now = deps.now();
    try {
      await deps.db.send(new TransactWriteCommand({ TransactItems: acceptItems(deps, caller, inv, now) }));
      deps.metrics.count(METRIC.invitationsAccepted);
      break;
    } catch (e) {
      if (!conditionsFailed(e) && !isRaceLost(e)) throw e;
      const current = await explainFailedAccept(deps, caller, inv, conditionsFailed(e));
      if (current === 'ours') return;
      if (attempt >= MAX_ACCEPT_ATTEMPTS) throw conflict();
      inv = current;
      await jitter(attempt);
    }
  }
}

/** Why this caller may not accept this invitation as read (thrown), or `ours` when they already did. */
function refuseAccept(deps: Deps, caller: Caller, inv: InvitationItem): 'ours' | undefined {
  if (inv.status === 'revoked') throw invitationNotFound();
  if (inv.email !== caller.email) {
    throw new ApiError(
      'root.invalid_authentication',
      'This invitation was sent to a different email address. Sign in with the address that received it.',
    );
  }
  if (!caller.emailVerified) {
    throw new ApiError(
      'organization.invitation_email_not_verified',
      'Verify your email address with your identity provider, then accept again.',
    );
  }
  if (inv.status === 'accepted') {
    if (inv.accepted_by === caller.userId) return 'ours'; // a retried accept: already done
    throw new ApiError(
      'organization.invitation_already_accepted',
      'This invitation has already been used. Ask an administrator to send a new one.',
    );
  }
  if (inv.reserved_for && inv.reserved_for !== caller.userId) throw reservedForMover();
  if (isExpired(inv, deps.now())) throw expired();
  return undefined;
}

const reservedForMover = () =>
  new ApiError(
    'organization.invitation_reserved',
    'This invitation is reserved for the account that is moving to this organization with its deployments. Sign in with that account to accept it; if you are someone else using the same email address, ask an administrator for your own invitation after the move.',
  );

/** The accept transaction: the invitation (at the version read), then the join items, then the organization's count. */
function acceptItems(deps: Deps, caller: Caller, inv: InvitationItem, now: Date) {
  const orgId = inv.organization_id;
  return [
    {
      Update: {
        TableName: deps.table,
        Key: keys.invitation(orgId, inv.email),
        UpdateExpression:
          'SET #status = :accepted, accepted_at = :now, accepted_by = :uid, version = version + :one REMOVE #ttl, task_token',
        ConditionExpression:
          '#status = :pending AND #token = :token AND version = :v AND expires_at > :now AND (attribute_not_exists(reserved_for) OR reserved_for = :uid)',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': TABLE.ttlAttribute, '#token': 'token' },
        ExpressionAttributeValues: {
          ':accepted': 'accepted',
          ':pending': 'pending',
          ':now': now.toISOString(),
          ':uid': caller.userId,
          ':one': 1,
          ':token': inv.token,
          ':v': inv.version,
        },
      },
    },
    ...joinItems(deps, caller, orgId, inv.role_assignments, now.toISOString(), {
      token: inv.token,
      version: inv.version,
    }),
    countOnOrganization(deps.table, keys.organization(orgId), {
      member_count: 1,
      admin_count: isOrgAdmin(inv.role_assignments) ? 1 : 0,
    }),
  ];
}

const expired = () =>
  new ApiError(
    'organization.invitation_expired',
    'This invitation has expired. Ask an administrator to send a new invitation.',
  );

/** Tokens are compared in constant time, so no comparison tells how much of a token was right. */
const sameToken = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const conflict = () =>
  new ApiError(
    'organization.conflict',
    'The invitation kept changing while you accepted it (an administrator is editing it). Try again in a moment.',
  );

/**
 * After a lost race or a failed condition, read what is true now (strongly consistent) and say it: the accept already
 * happened (`ours`), a reason to refuse (thrown), or the invitation as it now is, to try again with.
 */
async function explainFailedAccept(
  deps: Deps,
  caller: Caller,
  inv: InvitationItem,
  failed: boolean[] | undefined,
): Promise<InvitationItem | 'ours'> {
  const invKey = keys.invitation(inv.organization_id, inv.email);
  const userKey = keys.user(caller.userId);
  const found = await batchGet(deps.db, deps.table, [invKey, userKey]);
  const raw = found.get(keyId(invKey));
  const current = raw && stripKeys<InvitationItem>(raw);
  const user = found.get(keyId(userKey)) as UserItem | undefined;
  if (!current || !sameToken(current.token, inv.token)) throw invitationNotFound();
  if (refuseAccept(deps, caller, current) === 'ours') return 'ours';
  if (user?.organization_id) {
    if (user.organization_id === inv.organization_id) {
      throw new ApiError(
        'organization.user_organization_already_belongs',
        'You are already a member of this organization.',
      );
    }
    throw alreadyBelongs();
  }
  if (failed?.[4]) throw orgNotFound(); // the organization's count: closed while we accepted
  return current;
}

/** Every invitation item of an organization (all pages). */
export async function queryInvitations(deps: Deps, orgId: string): Promise<InvitationItem[]> {
  const { pk, skPrefix } = keys.invitationsPrefix(orgId);
  return queryPrefix<InvitationItem>(deps.db, deps.table, pk, skPrefix);
}

export type ListedInvitation = OrganizationInvitation & { email_status: EmailStatus; email_error?: string };

/** Open (pending, including expired) invitations, newest first, `expired` computed from `expires_at`. */
export async function listInvitations(
  deps: Deps,
  caller: Caller,
  orgId: string,
): Promise<ListedInvitation[]> {
  await requireOrgAdmin(deps, orgId, caller.userId);
  const now = deps.now();
  return (await queryInvitations(deps, orgId))
    .filter((inv) => inv.status === 'pending')
    .sort((a, b) => b.created_at.localeCompare(a.created_at))
    .map((inv) => ({
      ...toWire(inv, now),
      // Stored before the outbox: `unsent` was waiting for a send, as `queued` is.
      email_status: inv.email_status === 'unsent' ? 'queued' : inv.email_status,
      ...(inv.email_status === 'failed' && inv.email_error ? { email_error: inv.email_error } : {}),
    }));
}

/** Revoke invitations by token, all or nothing. A migration waiting on one of them is told by the outbox. */
export async function revokeInvitations(
  deps: Deps,
  caller: Caller,
  orgId: string,
  tokens: string[],
): Promise<void> {
  await requireOrgAdmin(deps, orgId, caller.userId);
  const byToken = new Map(
    (await queryInvitations(deps, orgId)).filter((i) => i.status === 'pending').map((i) => [i.token, i]),
  );
  const missing = tokens.filter((t) => !byToken.has(t));
  if (missing.length > 0) {
    throw invitationNotFound(
      `No pending invitation in this organization for ${missing.length === 1 ? 'this token' : `${missing.length} of the tokens`}. Nothing was revoked.`,
    );
  }
  const now = deps.now();
  const invitations = tokens.map((t) => byToken.get(t)!);
  try {
    await deps.db.send(
      new TransactWriteCommand({
        TransactItems: invitations.map((inv) => ({
          Update: {
            TableName: deps.table,
            Key: keys.invitation(orgId, inv.email),
            UpdateExpression:
              'SET #status = :revoked, revoked_at = :now, revoked_by = :uid, version = version + :one, #ttl = :ttl REMOVE task_token',
            ConditionExpression: '#status = :pending AND version = :v',
            ExpressionAttributeNames: { '#status': 'status', '#ttl': TABLE.ttlAttribute },
            ExpressionAttributeValues: {
              ':revoked': 'revoked',
              ':pending': 'pending',
              ':now': now.toISOString(),
              ':uid': caller.userId,
              ':one': 1,
              ':v': inv.version,
              ':ttl': ttlAt(new Date(now.getTime() + RETENTION_MS)),
            },
          },
        })),
      }),
    );
  } catch (e) {
    if (conditionsFailed(e)) {
      throw new ApiError(
        'organization.conflict',
        'An invitation changed while revoking (accepted or refreshed). Nothing was revoked; list the invitations and try again.',
      );
    }
    throw e;
  }
}

/** A consistent read of one invitation by organization and address (used by tests and the workflow). */
export async function getInvitationByEmail(
  deps: Deps,
  orgId: string,
  email: string,
): Promise<InvitationItem | undefined> {
  return getItem<InvitationItem>(deps.db, deps.table, keys.invitation(orgId, email));
}

/**
 * The migration's re-invite: refresh a pending invitation so its lifetime starts now, and queue its email (the outbox
 * sends it). Returns the invitation as it now is; an accepted one is returned untouched. Anything else (revoked,
 * expired, missing) is undefined.
 */
export async function refreshForMigration(
  deps: Deps,
  orgId: string,
  email: string,
  lifetimeMs: number,
): Promise<InvitationItem | undefined> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const inv = await getInvitationByEmail(deps, orgId, email);
    const now = deps.now();
    if (!inv || inv.status === 'revoked' || (inv.status === 'pending' && isExpired(inv, now)))
      return undefined;
    if (inv.status === 'accepted') return inv;
    const expiresAt = new Date(now.getTime() + lifetimeMs);
    const next: InvitationItem = {
      ...inv,
      expires_at: expiresAt.toISOString(),
      email_status: 'queued',
      email_version: inv.version + 1,
      version: inv.version + 1,
      ttl: ttlAt(new Date(expiresAt.getTime() + RETENTION_MS)),
    };
    try {
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.table,
          Key: keys.invitation(orgId, email),
          UpdateExpression:
            'SET expires_at = :exp, email_status = :queued, email_version = :next, version = :next, #ttl = :ttl REMOVE email_error',
          ConditionExpression: '#status = :pending AND version = :v',
          ExpressionAttributeNames: { '#status': 'status', '#ttl': TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ':exp': next.expires_at,
            ':queued': 'queued',
            ':next': next.version,
            ':ttl': next.ttl,
            ':pending': 'pending',
            ':v': inv.version,
          },
        }),
      );
    } catch (e) {
      if ((e as Error).name === 'ConditionalCheckFailedException') continue;
      throw e;
    }
    return next;
  }
  throw Object.assign(new Error('The invitation kept changing while refreshing it'), {
    name: 'TransientError',
  });
}

/**
 * Store a workflow's task token on a pending invitation so that accepting it resumes the workflow. Returns 'stored',
 * 'accepted' (accepted already: the caller resumes the workflow itself) or 'gone' (revoked or expired).
 */
export async function attachTaskToken(
  deps: Deps,
  orgId: string,
  email: string,
  userId: string,
  taskToken: string,
): Promise<'stored' | 'accepted' | 'gone'> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const inv = await getInvitationByEmail(deps, orgId, email);
    if (inv?.status === 'accepted' && inv.accepted_by === userId) return 'accepted';
    if (inv?.status !== 'pending' || isExpired(inv, deps.now())) return 'gone';
    try {
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.table,
          Key: keys.invitation(orgId, email),
          // A new version: an accept or revoke that read the invitation before the token was stored must read again
          // (and so see the token), or the hand-off would have a window.
          UpdateExpression: 'SET task_token = :t, version = version + :one',
          ConditionExpression: '#status = :pending AND version = :v',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':t': taskToken, ':pending': 'pending', ':v': inv.version, ':one': 1 },
        }),
      );
      return 'stored';
    } catch (e) {
      // Accepted (or refreshed) in between: read again and decide again.
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    }
  }
  throw Object.assign(new Error('The invitation kept changing while waiting on it'), {
    name: 'TransientError',
  });
}

/** Unbind an invitation from a migrating user whose migration ended without leaving (anyone invited may accept again). */
export async function releaseReservation(
  deps: Deps,
  orgId: string,
  email: string,
  userId: string,
): Promise<void> {
  // A failed condition: not bound to them, nothing to release.
  await updateIf(deps.db, {
    TableName: deps.table,
    Key: keys.invitation(orgId, email),
    UpdateExpression: 'REMOVE reserved_for SET version = version + :one',
    ConditionExpression: 'reserved_for = :uid',
    ExpressionAttributeValues: { ':uid': userId, ':one': 1 },
  });
}
