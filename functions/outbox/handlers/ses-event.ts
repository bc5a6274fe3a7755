import type { Context, EventBridgeEvent } from 'aws-lambda';
import { defaultDeps } from '../../shared/deps.ts';
import { inInvocation } from '../../shared/log.ts';
import { flushMetrics } from '../../shared/metrics.ts';
import { recordDeliveryEvent, type SesEvent } from '../delivery.ts';

/** SES's bounce, complaint and reject events (EventBridge in AWS, the local SES endpoint's events locally). */
export const handler = async (event: EventBridgeEvent<string, SesEvent>, context?: Context): Promise<void> =>
  inInvocation(context, async () => {
    try {
      await recordDeliveryEvent(defaultDeps(), event.detail);
    } finally {
      flushMetrics();
    }
  });
