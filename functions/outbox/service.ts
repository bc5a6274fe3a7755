/**
 * The outbox: side effects derived from the table's DynamoDB Stream (new and old images), after the write that asks
 * for them has committed. A record is retried until its effects are done (the event source mapping in AWS, the local
 * poller locally), so a process that dies between a commit and its side effect loses nothing.
 *
 * - An invitation whose write set `email_status: queued` is emailed at the configured rate, then marked `sent`, or
 *   `failed` with the reason SES gave, conditioned on the `email_version` it emailed (a newer refresh owns its own
 *   email; writes that only bump `version`, such as the wait storing its token, ask for none).
 * - A waiting workflow is resumed when its invitation is accepted, and failed when the invitation loses its task token
 *   without being accepted (revoked, replaced) or when the migrating user joins another organization during the wait.
 *
 * Delivery is at least once, deduplicated by version: before sending, the invitation is read again and only sent while
 * it is still `queued` for the `email_version` the record carries, so a retried or repeated record sends nothing twice. The one
 * duplicate left is a process dying after SES accepted an email and before `sent` was written (SES v2 has no
 * idempotency key).
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { invitationEmail, invitationLink } from '../invitations/render.ts';
import { queryInvitations } from '../invitations/store.ts';
import { getMigration, TARGET_CLOSED } from '../migrations/store.ts';
import type { Callbacks, Deps, Mailing } from '../shared/deps.ts';
import type { InvitationItem, MigrationItem, OrganizationItem, UserItem } from '../shared/domain.ts';
import { log } from '../shared/log.ts';
import { METRIC } from '../shared/observability.ts';
import { ENTITY, keys } from '../shared/table.ts';
import { deliveryTags, markEmail } from './delivery.ts';
import { type SendRateDeps, takeSendSlot } from './send-rate.ts';

export interface OutboxDeps extends Deps, SendRateDeps, Mailing, Callbacks {}

/**
 * Items handled at once within one invocation. Records of one item stay in order; different items go in parallel,
 * so a batch of invitations keeps up with the shared sending rate although each email takes several round trips.
 */
export const ITEMS_IN_PARALLEL = 8;

/** SES errors that a retry cannot fix: the email is recorded `failed` with the reason, and the record is done. */
const PERMANENT_SES_ERRORS = new Set([
  'MessageRejected',
  'BadRequestException',
  'MailFromDomainNotVerifiedException',
]);

type Image = Record<string, unknown>;
const image = (raw: unknown): Image | undefined =>
  raw ? (unmarshall(raw as Record<string, AttributeValue>) as Image) : undefined;

/**
 * Process a batch: records of one item in stream order, different items in parallel (`ITEMS_IN_PARALLEL`). When
 * records fail, the first failed record of each item stops that item's later records, and the lowest failed sequence
 * number is reported: Lambda resumes the stream there, so everything after it comes again. Records of other items that
 * already succeeded come again too, which changes nothing (each effect is conditional on the item's state). The
 * retries of a record that always fails therefore never hold back other items' records: they are done on the first
 * attempt, and the batch's remainder goes to the on-failure destination once the retries run out.
 */
export async function processRecords(
  deps: OutboxDeps,
  records: DynamoDBRecord[],
): Promise<DynamoDBBatchResponse> {
  const byItem = new Map<string, DynamoDBRecord[]>();
  for (const r of records) {
    const k = JSON.stringify(r.dynamodb?.Keys ?? r.eventID);
    const group = byItem.get(k);
    if (group) group.push(r);
    else byItem.set(k, [r]);
  }
  const failed: DynamoDBRecord[] = [];
  const queue = [...byItem.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const record of group) {
        try {
          await processRecord(deps, record);
        } catch (e) {
          log('error', 'outbox record failed; it will be retried', {
            event: record.eventID,
            error: (e as Error)?.name,
          });
          failed.push(record);
          break; // this item's later records wait for it
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ITEMS_IN_PARALLEL, queue.length) }, worker));
  if (failed.length === 0) return { batchItemFailures: [] };
  const first = records.find((r) => failed.includes(r))!;
  return { batchItemFailures: [{ itemIdentifier: first.dynamodb?.SequenceNumber ?? '' }] };
}

export async function processRecord(deps: OutboxDeps, record: DynamoDBRecord): Promise<void> {
  if (record.eventName === 'REMOVE') return; // TTL clean-up long after anything could still wait
  const before = image(record.dynamodb?.OldImage);
  const after = image(record.dynamodb?.NewImage);
  switch (after?.entity) {
    case ENTITY.invitation:
      await resumeOrFailWait(deps, before as InvitationItem | undefined, after as unknown as InvitationItem);
      await emailIfQueued(deps, before as InvitationItem | undefined, after as unknown as InvitationItem);
      return;
    case ENTITY.user:
      await onUserChange(deps, before as UserItem | undefined, after as unknown as UserItem & Active);
      return;
    case ENTITY.organization:
      await onOrganizationClosed(
        deps,
        before as OrganizationItem | undefined,
        after as unknown as OrganizationItem,
      );
      return;
    case ENTITY.migration:
      await onWaitStarted(deps, before as MigrationItem | undefined, after as unknown as MigrationItem);
      return;
    default:
      return;
  }
}

type Active = { active_migration_id?: string };

// ---------------------------------------------------------------------------------------------------------------
// The workflow

/** An invitation that a workflow waited on was accepted (resume it) or lost its token otherwise (fail it). */
async function resumeOrFailWait(deps: OutboxDeps, before: InvitationItem | undefined, after: InvitationItem) {
  const token = before?.status === 'pending' ? before.task_token : undefined;
  if (!token) return;
  if (after.status === 'accepted') {
    await deps.workflow.resume(token, {
      accepted_at: after.accepted_at,
      user_id: after.accepted_by,
      organization_id: after.organization_id,
    });
    return;
  }
  if (after.task_token === token) return; // still waiting (a refresh keeps the token)
  await deps.workflow.fail(
    token,
    'InvitationRevoked',
    after.status === 'revoked'
      ? 'An administrator revoked the invitation to the target organization.'
      : 'The invitation to the target organization was replaced by a new one.',
  );
}

/**
 * An organization closed (its last member left): every migration waiting to join it can never be accepted, so its
 * wait ends now. A wait that stores its token after this commit sees the closed organization itself (`awaitAcceptance`).
 */
async function onOrganizationClosed(
  deps: OutboxDeps,
  before: OrganizationItem | undefined,
  after: OrganizationItem,
) {
  if (after.status !== 'closed' || before?.status === 'closed') return;
  const waiting = (await queryInvitations(deps, after.id)).filter(
    (i) => i.status === 'pending' && i.task_token,
  );
  for (const inv of waiting) {
    await deps.workflow.fail(
      inv.task_token!,
      TARGET_CLOSED,
      'The target organization was closed (its last member left) while this migration waited for you to accept its invitation.',
    );
  }
}

const joinedElsewhere = (orgId: string) =>
  `You joined another organization (${orgId}) while this migration waited for you to accept the invitation to the target organization.`;

/** The user joined an organization: a migration of theirs waiting to join a different one ends now. */
async function onUserChange(deps: OutboxDeps, before: UserItem | undefined, after: UserItem & Active) {
  const orgId = after.organization_id;
  if (!orgId || orgId === before?.organization_id || !after.active_migration_id) return;
  const m = await getMigration(deps, after.active_migration_id);
  if (m?.status !== 'running' || !m.task_token || m.target_organization_id === orgId) return;
  await deps.workflow.fail(m.task_token, 'JoinedAnotherOrganization', joinedElsewhere(orgId));
}

/**
 * The wait recorded its token on the migration. If the user joined another organization before that, the user's
 * record found no token; this record reads the user now. One of the two records always sees both writes.
 */
async function onWaitStarted(deps: OutboxDeps, before: MigrationItem | undefined, after: MigrationItem) {
  if (!after.task_token || after.task_token === before?.task_token || after.status !== 'running') return;
  const user = (
    await deps.db.send(
      new GetCommand({ TableName: deps.table, Key: keys.user(after.user_id), ConsistentRead: true }),
    )
  ).Item as UserItem | undefined;
  const orgId = user?.organization_id;
  if (!orgId || orgId === after.target_organization_id || !after.left_at) return;
  await deps.workflow.fail(after.task_token, 'JoinedAnotherOrganization', joinedElsewhere(orgId));
}

// ---------------------------------------------------------------------------------------------------------------
// Invitation emails

/** True when this write queued an email (not a later write that left it queued, such as the wait's). */
const queuedHere = (before: InvitationItem | undefined, after: InvitationItem) =>
  after.status === 'pending' &&
  after.email_status === 'queued' &&
  after.email_version !== undefined &&
  (before?.email_status !== 'queued' ||
    before.email_version !== after.email_version ||
    before.token !== after.token);

async function emailIfQueued(deps: OutboxDeps, before: InvitationItem | undefined, after: InvitationItem) {
  if (!queuedHere(before, after)) return;
  const key = keys.invitation(after.organization_id, after.email);
  const now = (await deps.db.send(new GetCommand({ TableName: deps.table, Key: key, ConsistentRead: true })))
    .Item as InvitationItem | undefined;
  // Sent already (a retried record), superseded by a newer version (which has its own record), or no longer pending.
  if (
    now?.email_status !== 'queued' ||
    now.email_version !== after.email_version ||
    now.token !== after.token
  )
    return;
  if (now.status !== 'pending') return;
  if (Date.parse(now.expires_at) <= deps.now().getTime()) {
    await markEmail(deps, now, 'failed', 'The invitation expired before its email could be sent.');
    return;
  }
  // Rendered before the slot is taken, so the send leaves as close to its slot as it can.
  const email = {
    ...invitationEmail(now, invitationLink(deps.publicBaseUrl, now.token)),
    tags: deliveryTags(now),
  };
  await takeSendSlot(deps);
  try {
    await deps.mailer.send(email);
  } catch (e) {
    const name = (e as Error)?.name ?? 'Error';
    if (!PERMANENT_SES_ERRORS.has(name)) throw e; // throttled or unavailable: the record is retried
    log('warn', 'invitation email refused', { organization: now.organization_id, error: name });
    deps.metrics.count(METRIC.emailsFailed);
    await markEmail(deps, now, 'failed', `${name}: ${String((e as Error).message ?? '').slice(0, 300)}`);
    return;
  }
  deps.metrics.count(METRIC.emailsSent);
  // SES took it: a failed mark would send it again on the retry, so the mark gets its own retries first.
  for (let attempt = 0; ; attempt++) {
    try {
      await markEmail(deps, now, 'sent');
      return;
    } catch (e) {
      if (attempt >= MARK_ATTEMPTS - 1) throw e;
      await deps.sleep(50 * 2 ** attempt);
    }
  }
}

const MARK_ATTEMPTS = 5;
