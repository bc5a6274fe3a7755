import { randomBytes } from 'node:crypto';
import { dynamo } from './clients.ts';
import { config } from './config.ts';
import type { Db } from './db.ts';
import { type Mailer, sesMailer } from './mailer.ts';
import { sfnCallbacks, type WorkflowCallbacks } from './workflow.ts';

/** What services need from the outside world; handlers pass the real ones, tests may pass others. */
export interface Deps {
  db: Db;
  table: string;
  now: () => Date;
  newId: () => string;
  /** Invitation tokens: 256 bits from the OS CSPRNG, URL-safe. */
  newToken: () => string;
  mailer: Mailer;
  workflow: WorkflowCallbacks;
  publicBaseUrl: string;
  inviteRateLimitPerHour: number;
}

export const newId = (): string => randomBytes(16).toString('hex');
export const newToken = (): string => randomBytes(32).toString('base64url');

let cached: Deps | undefined;
export function defaultDeps(): Deps {
  if (!cached) {
    const c = config();
    cached = {
      db: dynamo,
      table: c.tableName,
      now: () => new Date(),
      newId,
      newToken,
      mailer: sesMailer(c.senderEmail, c.sesConfigurationSet),
      workflow: sfnCallbacks,
      publicBaseUrl: c.publicBaseUrl,
      inviteRateLimitPerHour: c.inviteRateLimitPerHour,
    };
  }
  return cached;
}
