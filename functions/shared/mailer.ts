import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { ses } from './clients.ts';

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
}
export interface Mailer {
  send(email: Email): Promise<void>;
}

export const sesMailer = (from: string, configurationSet: string | undefined): Mailer => ({
  async send(email) {
    await ses.send(
      new SendEmailCommand({
        FromEmailAddress: from,
        Destination: { ToAddresses: [email.to] },
        ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
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
