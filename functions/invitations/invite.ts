/** Sending invitations: who may, to whom, and the write that holds up when the same addresses are invited at once. */
import { orgNotFound } from '../organizations/service.ts';
import { batchGet, keyId, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { InvitationItem, MembershipItem, OrganizationItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
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
  /** Each address's invitation version at the first read (0: none), to tell a concurrent refresh from an old one. */
  const firstSeen = new Map<string, number>();
  /** Addresses a concurrent invite already refreshed exactly as this request asks: nothing left to write for them. */
  const settled = new Map<string, InvitationItem>();
  let written: InvitationItem[];
  try {
    // A concurrent invite of the same address won: read again, and refresh what it wrote unless it did just this.
    written = await retryLostRace(
      { attempts: MAX_WRITE_ATTEMPTS, exhausted: inviteConflict },
      async (attempt) => {
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
        const items = input.emails
          .filter((e) => !settled.has(e))
          .map((email) => {
            const existing = found.get(keyId(keys.invitation(orgId, email))) as InvitationItem | undefined;
            return {
              existing,
              item: nextInvitation(deps, caller, org, email, existing, input, expiresAt, now),
            };
          });
        if (items.length > 0) {
          await transact(
            deps.db,
            Object.fromEntries(
              items.map(({ existing, item }) => [
                `invitation:${item.email}`,
                {
                  Put: {
                    TableName: deps.table,
                    Item: {
                      ...keys.invitation(orgId, item.email),
                      ...keys.invitationByToken(item.token),
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
              ]),
            ),
          );
        }
        return items.map(({ item }) => item);
      },
    );
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

const inviteConflict = () =>
  new ApiError(
    'organization.conflict',
    'These invitations kept changing while we saved them (other administrators are inviting the same addresses with other settings). Nothing of this request was saved; send it again.',
  );
