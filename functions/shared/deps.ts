import { randomBytes } from 'node:crypto';
import { dynamo } from './clients.ts';
import { config } from './config.ts';
import type { Db } from './db.ts';
import type { Mailer } from './mailer.ts';
import { emfMetrics, type MetricsSink } from './metrics.ts';
import type { WorkflowCallbacks } from './workflow.ts';

/**
 * What services need from the outside world; handlers pass the real ones, tests may pass others.
 * Email and workflow callbacks are separate (`Mailing`, `Callbacks`, added by `withMailer` and `withWorkflow`) so
 * that a handler bundles the SES or Step Functions client only when it uses it.
 */
export interface Deps {
  db: Db;
  table: string;
  now: () => Date;
  newId: () => string;
  /** Invitation tokens: 256 bits from the OS CSPRNG, URL-safe. */
  newToken: () => string;
  publicBaseUrl: string;
  inviteRateLimitPerHour: number;
  /** Business counters (EMF); the handler wrappers flush them once per invocation. */
  metrics: MetricsSink;
}

export interface Mailing {
  mailer: Mailer;
}
export interface Callbacks {
  workflow: WorkflowCallbacks;
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
      publicBaseUrl: c.publicBaseUrl,
      inviteRateLimitPerHour: c.inviteRateLimitPerHour,
      metrics: emfMetrics,
    };
  }
  return cached;
}
