/** Sending invitations: who may, to whom, and the write that holds up when the same addresses are invited at once. */

import { callerUnchanged } from '../organizations/membership.ts';
import { orgNotFound } from '../organizations/service.ts';
import { holdSsoRequirement } from '../organizations/sso-required.ts';
import { batchGet, inParts, keyId, type TransactItems, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { InvitationItem, MembershipItem, OrganizationItem } from '../shared/domain.ts';
import { ApiError, withNote } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { boundMembership } from '../shared/key-roles.ts';
import { METRIC } from '../shared/observability.ts';
import { retryLostRace } from '../shared/races.ts';
import { sameRoles } from '../shared/role-assignments.ts';
import { isOrgAdmin, type RoleAssignments } from '../shared/roles.ts';
import { ENTITY, keys, ttlAt } from '../shared/table.ts';
import { takeRateQuota } from './quota.ts';
import { isExpired, type OrganizationInvitation, RETENTION_MS, toWire } from './store.ts';

/** Tries in all after lost races, before answering 409. */
const MAX_WRITE_ATTEMPTS = 8;

export interface InviteInput {
  emails: string[];
  expiresInMs: number;
  /** Undefined: new invitations get no roles and refreshed ones keep theirs. */
  roleAssignments: RoleAssignments | undefined;
}

/**
 * Invite addresses to an organization (organization-admin only). Per address: a pending, unexpired invitation is
 * refreshed (new expiry, same token and roles unless new ones are given); anything else gets a new invitation with a
 * new token. Each is written with `email_status: queued`: the outbox (`functions/outbox/`) emails it after the commit,
 * at SES's sending rate, so the request answers as soon as the invitations are committed.
 *
 * The write holds the caller's membership (`callerUnchanged`): an admin demoted or removed between the read and the
 * write reads again and gets 403, and no invitation of theirs lands. With that check, up to 99 addresses fit in one
 * transaction; a larger request (up to `MAX_ADDRESSES`) is written in consecutive parts (`inParts`), each holding the
 * caller, a lost part read and retried. If a later part is refused (the caller demoted meanwhile, an address joined),
 * the answer is that refusal, saying how many of the request's invitations were saved before it: those stand and are
 * emailed.
 */
export async function createInvitations(
  deps: Deps,
  caller: Caller,
  orgId: string,
  input: InviteInput,
): Promise<OrganizationInvitation[]> {
  let refund: (() => Promise<void>) | undefined;
  /** Each address's invitation version at the first read (0: none), to tell a concurrent refresh from an old one. */
  const firstSeen = new Map<string, number>();
  /** Addresses a concurrent invite already refreshed exactly as this request asks: nothing left to write for them. */
  const settled = new Map<string, InvitationItem>();
  /** What this request's committed parts wrote: it stands whatever a later part meets. */
  const committed = new Map<string, InvitationItem>();
  try {
    // A concurrent invite of the same address won: read again, and refresh what it wrote unless it did just this.
    await retryLostRace(
      { attempts: MAX_WRITE_ATTEMPTS, exhausted: () => inviteConflict(committed.size === 0) },
      async (attempt) => {
        const orgKey = keys.organization(orgId);
        const callerKey = keys.membership(orgId, caller.userId);
        const invKeys = input.emails.map((e) => keys.invitation(orgId, e));
        const memberKeys = input.emails.map((e) => keys.memberEmail(orgId, e));
        const found = await batchGet(deps.db, deps.table, [orgKey, callerKey, ...invKeys, ...memberKeys]);

        const org = found.get(keyId(orgKey)) as OrganizationItem | undefined;
        if (org?.status !== 'open') throw orgNotFound();
        const me = boundMembership(caller, found.get(keyId(callerKey)) as MembershipItem | undefined);
        if (!me) {
          throw new ApiError(
            'organization.user_organization_does_not_belong',
            'You are not a member of this organization.',
          );
        }
        await holdSsoRequirement(deps, org, caller);
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
          else if (existing && existing.version === committed.get(email)?.version)
            settled.set(email, existing);
          else if (existing && existing.version !== firstSeen.get(email)) {
            if (refreshedAsAsked(existing, input, expiresAt, now)) settled.set(email, existing);
          }
        }
        const items = input.emails
          .filter((e) => !settled.has(e))
          .map((email) => {
            const existing = found.get(keyId(keys.invitation(orgId, email))) as InvitationItem | undefined;
            return {
              existing,
              item: nextInvitation(deps, caller, org, email, existing, input, expiresAt, now),
            };
          });
        const byName = new Map(items.map(({ item }) => [`invitation:${item.email}`, item]));
        const groups = items.map(({ existing, item }) => ({
          ...(existing?.status === 'accepted' ? stillNotAMember(deps, orgId, item.email) : {}),
          [`invitation:${item.email}`]: {
            Put: {
              TableName: deps.table,
              Item: {
                ...keys.invitation(orgId, item.email),
                ...keys.invitationByToken(item.token),
                ...keys.invitationByInvitee(item.email, orgId),
                ...item,
              },
              ...(existing
                ? {
                    ConditionExpression: 'version = :v',
                    ExpressionAttributeValues: { ':v': existing.version },
                  }
                : { ConditionExpression: 'attribute_not_exists(pk)' }),
            },
          },
        }));
        for (const part of inParts(callerUnchanged(deps, me), groups)) {
          await transact(deps.db, part);
          for (const name of Object.keys(part)) {
            const item = byName.get(name);
            if (item) committed.set(item.email, item);
          }
        }
      },
    );
  } catch (e) {
    if (committed.size === 0) {
      await refund?.();
      throw e;
    }
    deps.metrics.count(METRIC.invitationsCreated, committed.size);
    throw withNote(
      e,
      `This request was written in parts: ${committed.size} of its ${input.emails.length} addresses were invited before that; those invitations stand and are emailed. List the invitations to see which.`,
    );
  }
  deps.metrics.count(METRIC.invitationsCreated, committed.size); // new or refreshed, each emailed
  const now = deps.now();
  const byEmail = new Map([...committed, ...settled]);
  return input.emails.map((email) => toWire(byEmail.get(email)!, now));
}

/**
 * The member-email marker of an address still absent when the invite commits. The read above is a BatchGetItem, which
 * is no snapshot: it can see an invitation already accepted but not yet the marker the same accept wrote, and a
 * pending invitation would then be left for a member. Checking only addresses whose invitation was read `accepted` is
 * enough: a join into this organization happens today only by accepting this organization's invitation for that
 * address, which bumps the invitation's version, so for any other status (or none) the Put's version condition
 * already fails when a join landed after the read; only an invitation read as accepted can hide a join the read
 * missed. Any future join path that does not write the invitation item (SSO, SCIM) must write it, or this must check
 * every address. A failed check is a lost race: the retry reads the marker and refuses with "already a member".
 */
const stillNotAMember = (deps: Deps, orgId: string, email: string): TransactItems => ({
  [`memberEmail:${email}`]: {
    ConditionCheck: {
      TableName: deps.table,
      Key: keys.memberEmail(orgId, email),
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
});

/**
 * The invitation to write for an address: a pending, unexpired one is refreshed (same token and creation time, roles
 * kept unless new ones are given, the migration's hand-off kept); anything else is replaced by a new one.
 */
function nextInvitation(
  deps: Deps,
  caller: Caller,
  org: OrganizationItem,
  email: string,
  existing: InvitationItem | undefined,
  input: InviteInput,
  expiresAt: Date,
  now: Date,
): InvitationItem {
  const refresh = existing?.status === 'pending' && !isExpired(existing, now);
  return {
    entity: ENTITY.invitation,
    organization_id: org.id,
    organization_name: org.name,
    email,
    token: refresh ? existing.token : deps.newToken(),
    status: 'pending',
    created_at: refresh ? existing.created_at : now.toISOString(),
    expires_at: expiresAt.toISOString(),
    invited_by: caller.userId,
    invited_by_email: caller.email,
    ...(caller.name ? { invited_by_name: caller.name } : {}),
    role_assignments: input.roleAssignments ?? (refresh ? existing.role_assignments : {}),
    email_status: 'queued',
    email_version: (existing?.version ?? 0) + 1,
    version: (existing?.version ?? 0) + 1,
    ...(refresh && existing.task_token ? { task_token: existing.task_token } : {}),
    ...(refresh && existing.reserved_for ? { reserved_for: existing.reserved_for } : {}),
    ttl: ttlAt(new Date(expiresAt.getTime() + RETENTION_MS)),
  };
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

const inviteConflict = (nothingSaved: boolean) =>
  new ApiError(
    'organization.conflict',
    `These invitations kept changing while we saved them (other administrators are inviting the same addresses with other settings, or changing your roles).${nothingSaved ? ' Nothing of this request was saved;' : ''} Send it again.`,
  );
