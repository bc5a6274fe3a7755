import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { config } from '../../shared/config.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { inInvocation } from '../../shared/log.ts';
import { withMailer } from '../../shared/mailer.ts';
import { flushMetrics } from '../../shared/metrics.ts';
import { withWorkflow } from '../../shared/workflow.ts';
import { type OutboxDeps, processRecords } from '../service.ts';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The table's stream, fed by the event source mapping in AWS and by `local/outbox.ts` locally. */
export const handler = async (
  event: DynamoDBStreamEvent,
  context?: Context,
): Promise<DynamoDBBatchResponse> =>
  inInvocation(context, async () => {
    const deps: OutboxDeps = {
      ...withMailer(defaultDeps()),
      workflow: withWorkflow(defaultDeps()).workflow,
      emailSendRatePerSecond: config().emailSendRatePerSecond,
      sleep,
    };
    try {
      return await processRecords(deps, event.Records);
    } finally {
      flushMetrics();
    }
  });
