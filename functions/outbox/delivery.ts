/**
 * What happened to an email after SES took it. SES answers a send at once, then reports a bounce or a complaint later,
 * as an event (the configuration set publishes them to EventBridge; `infra/constructs/email.ts`). A bounce, a
 * complaint or a rejection of an invitation email records `email_status: failed` with the reason, on the email version
 * the event names: a newer refresh owns its own email and status.
 *
 * Locally the SES endpoint (`local/ses.ts`) answers SES's mailbox simulator addresses the same way and the local stack
 * hands its events to the same handler.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../shared/deps.ts';
import type { InvitationItem } from '../shared/domain.ts';
import { log } from '../shared/log.ts';
import { METRIC } from '../shared/observability.ts';
import { keys } from '../shared/table.ts';

/** The tags an invitation email carries, so its events find it (tag values allow letters, digits, `_` and `-`). */
export const deliveryTags = (inv: InvitationItem): Record<string, string> => ({
  organization: inv.organization_id,
  email_version: String(inv.email_version),
});

/** The parts of SES's event (`detail` of an EventBridge event from `aws.ses`) read here. */
export interface SesEvent {
  eventType?: string;
  mail?: { destination?: string[]; tags?: Record<string, string[]> };
  bounce?: {
    bounceType?: string;
    bounceSubType?: string;
    bouncedRecipients?: { emailAddress?: string; diagnosticCode?: string }[];
  };
  complaint?: { complainedRecipients?: { emailAddress?: string }[]; complaintFeedbackType?: string };
  reject?: { reason?: string };
}

/** Each recipient this event says will not get the email, with why, in words for the admin's invitation list. */
export function undelivered(event: SesEvent): { email: string; reason: string }[] {
  const to = (list: { emailAddress?: string }[] | undefined) =>
    (list ?? []).map((r) => r.emailAddress?.toLowerCase()).filter((e): e is string => !!e);
  switch (event.eventType) {
    case 'Bounce': {
      const b = event.bounce ?? {};
      return (b.bouncedRecipients ?? [])
        .filter((r) => r.emailAddress)
        .map((r) => ({
          email: r.emailAddress!.toLowerCase(),
          reason:
            b.bounceSubType === 'OnAccountSuppressionList' || b.bounceSubType === 'Suppressed'
              ? 'Not sent: the address is on the suppression list (it bounced or complained before). Check the address, or remove it from the SES suppression list.'
              : `Bounced (${b.bounceType ?? 'Undetermined'}${b.bounceSubType ? `, ${b.bounceSubType}` : ''})${r.diagnosticCode ? `: ${r.diagnosticCode}` : ''}. Check the address.`,
        }));
    }
    case 'Complaint':
      return to(event.complaint?.complainedRecipients).map((email) => ({
        email,
        reason: 'The recipient marked the invitation email as spam; SES will not send to this address again.',
      }));
    case 'Reject':
      return to((event.mail?.destination ?? []).map((emailAddress) => ({ emailAddress }))).map((email) => ({
        email,
        reason: `Rejected by SES${event.reject?.reason ? `: ${event.reject.reason}` : ''}.`,
      }));
    default:
      return [];
  }
}

/** Record a bounce, complaint or rejection on the invitation email it concerns. Events of other emails change nothing. */
export async function recordDeliveryEvent(deps: Deps, event: SesEvent): Promise<number> {
  const orgId = event.mail?.tags?.organization?.[0];
  const version = Number(event.mail?.tags?.email_version?.[0]);
  if (!orgId || !Number.isInteger(version)) return 0; // not an invitation email (a migration's notice)
  let recorded = 0;
  for (const { email, reason } of undelivered(event)) {
    // Only the email this event is about, and only once SES had it (`sent`, or `queued` when the event overtook the
    // outbox's own mark). A missing invitation fails the condition too: nothing is created.
    const at = { organization_id: orgId, email, email_version: version };
    if (!(await markEmail(deps, at, 'failed', reason, ['queued', 'sent']))) continue;
    recorded++;
    deps.metrics.count(METRIC.emailsFailed);
    log('warn', 'invitation email not delivered', { organization: orgId, event: event.eventType });
  }
  return recorded;
}

/**
 * Record what became of an invitation email: `status` (with `reason` for a failure) on the email version it concerns,
 * and only from the statuses in `from` (the outbox marks only a `queued` email), so a newer refresh, which owns its own
 * email and status, is never touched. False when the condition did not hold.
 */
export async function markEmail(
  deps: Deps,
  at: Pick<InvitationItem, 'organization_id' | 'email' | 'email_version'>,
  status: 'sent' | 'failed',
  reason?: string,
  from: ('queued' | 'sent')[] = ['queued'],
): Promise<boolean> {
  const fromStatus =
    from.length === 1
      ? `email_status = :${from[0]}`
      : `email_status IN (${from.map((s) => `:${s}`).join(', ')})`;
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: keys.invitation(at.organization_id, at.email),
        UpdateExpression: reason
          ? 'SET email_status = :status, email_error = :reason'
          : 'SET email_status = :status REMOVE email_error',
        ConditionExpression: `email_version = :v AND ${fromStatus}`,
        ExpressionAttributeValues: {
          ':status': status,
          ':v': at.email_version,
          ...Object.fromEntries(from.map((s) => [`:${s}`, s])),
          ...(reason ? { ':reason': reason } : {}),
        },
      }),
    );
    return true;
  } catch (e) {
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    return false;
  }
}
