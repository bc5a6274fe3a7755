import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { config } from './config.ts';
import type { Deps, Mailing } from './deps.ts';

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * SES message tags (letters, digits, `_` and `-` only): they come back in SES's bounce and complaint events, so an
   * event can be traced to the invitation and the email version it concerns (`outbox/delivery.ts`).
   */
  tags?: Record<string, string>;
}
export interface Mailer {
  send(email: Email): Promise<void>;
}

/** Endpoint from the standard setting (AWS_ENDPOINT_URL_SESV2), so local runs need no code path of their own. */
export const sesMailer = (ses: SESv2Client, from: string, configurationSet: string | undefined): Mailer => ({
  async send(email) {
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [email.to] },
        ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
        ...(email.tags
          ? { EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })) }
          : {}),
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
          },
        },
      }),
    );
  },
});

/** Created once per cold start, only in the handlers that send mail. */
export const ses = new SESv2Client({ maxAttempts: 3 });

let mailer: Mailer | undefined;
/** The handler's deps plus the SES mailer. */
export function withMailer(deps: Deps): Deps & Mailing {
  const c = config();
  mailer ??= sesMailer(ses, c.senderEmail, c.sesConfigurationSet);
  return { ...deps, mailer };
}
