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
    try {
      await deps.db.send(
        new UpdateCommand({
          TableName: deps.table,
          Key: keys.invitation(orgId, email),
          UpdateExpression: 'SET email_status = :failed, email_error = :reason',
          // Only the email this event is about, and only once SES had it (`sent`, or `queued` when the event overtook
          // the outbox's own mark). A missing invitation fails the condition too: nothing is created.
          ConditionExpression: 'email_version = :v AND email_status IN (:sent, :queued)',
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':reason': reason,
            ':v': version,
            ':sent': 'sent',
            ':queued': 'queued',
          },
        }),
      );
      recorded++;
      deps.metrics.count(METRIC.emailsFailed);
      log('warn', 'invitation email not delivered', { organization: orgId, event: event.eventType });
    } catch (e) {
      if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
    }
  }
  return recorded;
}
