/**
 * Structured JSON logs through Powertools Logger: one line per entry with `level` in capitals (INFO, WARN, ERROR),
 * which Lambda's JSON log format reads for its application log-level filter, and the Lambda context (request id,
 * cold start, function name) of the invocation a wrapper runs in `inInvocation`. Every line passes `RedactingFormatter`, so a
 * token quoted in an error message is cut before it is written. Still: never pass tokens, JWTs or request bodies here.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import { OBSERVABILITY } from './observability.ts';

/** Powertools' own key names, every value (and key) passed through `redactSecrets`. */
export class RedactingFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const ctx = invocation.getStore();
    const line = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: ctx?.coldStart,
      function_name: ctx?.functionName,
      function_request_id: ctx?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
      ...additional,
    };
    // Redact the serialised line, as it will be written: nothing nested (an error's cause, an array) escapes it.
    return new LogItem({ attributes: JSON.parse(redactSecrets(JSON.stringify(line, serialisable))) });
  }
}

/** What JSON.stringify would drop or throw on, made printable (as Powertools' own replacer does). */
function serialisable(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Set) return [...value];
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

const levelFromEnv = (): string | undefined => process.env.LOG_LEVEL?.toUpperCase() || undefined;

/** Lambda's log level (Advanced Logging Controls) wins over LOG_LEVEL; `LOG_LEVEL=silent` turns lines off in tests. */
export const logger = new Logger({
  serviceName: OBSERVABILITY.service,
  logFormatter: new RedactingFormatter(),
  ...(levelFromEnv() ? { logLevel: levelFromEnv() as never } : {}),
});
let appliedLevel = levelFromEnv();

interface Invocation {
  functionName?: string;
  awsRequestId?: string;
  coldStart: boolean;
}
/**
 * The invocation each line belongs to, per async call chain rather than on the shared logger (Powertools'
 * `addContext`): the local runtime runs every handler in one process, concurrently, and a context set on the logger by
 * one invocation (the outbox polling its stream) was written on the lines of another (an API request in flight).
 */
const invocation = new AsyncLocalStorage<Invocation>();
let coldStart = true;

/** A wrapper runs its handler in this: the invocation's function name, request id and cold start go on its lines. */
export function inInvocation<T>(context: Partial<Context> | undefined, fn: () => Promise<T>): Promise<T> {
  if (!context?.awsRequestId && !context?.functionName) return fn();
  const store = { functionName: context.functionName, awsRequestId: context.awsRequestId, coldStart };
  coldStart = false;
  return invocation.run(store, fn);
}

/** One log entry; callers keep this signature whatever logs underneath. */
export function log(
  level: 'info' | 'warn' | 'error',
  message: string,
  fields: Record<string, unknown> = {},
): void {
  // LOG_LEVEL is read per call, as before: the local runtime and tests switch it at run time (silent <-> info).
  const wanted = levelFromEnv();
  if (wanted !== appliedLevel) {
    appliedLevel = wanted;
    if (wanted && wanted in LEVELS) logger.setLogLevel(wanted as never);
  }
  logger[level](message, fields);
}

const LEVELS = { TRACE: 1, DEBUG: 1, INFO: 1, WARN: 1, ERROR: 1, CRITICAL: 1, SILENT: 1 };

/**
 * Invitation tokens travel in paths; keep only a short prefix of the segment in logs. The whole segment goes, whatever
 * its characters: a token sent percent-encoded (`%53` for `S`) or as a comma-separated list is still a token.
 */
export const redactPath = (path: string): string =>
  path.replace(/(\/invitations\/)([^/?#]{1,8})[^/?#]*/g, '$1$2…');

/**
 * Defence in depth for anything that reaches a log line (an error message quoting a value, say): JWTs and long
 * token-like runs (invitation tokens are 43 characters, task tokens longer) are cut to a short prefix. Ids (32 hex
 * characters, UUIDs) are shorter and stay readable.
 */
export const redactSecrets = (line: string): string =>
  line
    .replace(/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, 'eyJ…[jwt]')
    .replace(/(?:[A-Za-z0-9_+=-]|%[0-9A-Fa-f]{2}){40,}/g, (run) => `${run.slice(0, 8)}…`);
