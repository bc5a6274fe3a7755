/**
 * Business metrics as CloudWatch Embedded Metric Format lines (Powertools Metrics): no API call, no IAM, the log line
 * is the metric. Services count through `Deps.metrics`; the wrappers flush once per invocation (`flushMetrics`).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type MetricName, OBSERVABILITY } from './observability.ts';

export interface MetricsSink {
  count(name: MetricName, value?: number): void;
}

const metrics = new Metrics({ namespace: OBSERVABILITY.namespace, serviceName: OBSERVABILITY.service });

export const emfMetrics: MetricsSink = {
  count: (name, value = 1) => {
    if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
  },
};

/**
 * Writes what this invocation counted (nothing when it counted nothing: no "no metrics" warning per request).
 * `LOG_LEVEL=silent` (tests, the bench) writes no line at all, metrics included; read per call, as the log level is.
 */
export function flushMetrics(): void {
  if (!metrics.hasStoredMetrics()) return;
  if (process.env.LOG_LEVEL?.toLowerCase() === 'silent') metrics.clearMetrics();
  else metrics.publishStoredMetrics();
}
