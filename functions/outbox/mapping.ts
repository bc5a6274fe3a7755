/**
 * How the table's stream feeds the outbox handler: one definition for the event source mapping in AWS
 * (`infra/constructs/outbox.ts`) and the local poller (`local/outbox.ts`).
 */
export const OUTBOX_MAPPING = {
  handler: 'outbox/handlers/stream',
  /** Records per invocation. At 14 emails a second a full batch of invitations takes about 2 s. */
  batchSize: 25,
  /** One invocation per shard at a time, so each item's records are handled in order. */
  parallelizationFactor: 1,
  /** A failing batch is retried this many times, then its records go to the on-failure destination. */
  retryAttempts: 10,
  /** Records older than this are not retried any more (the stream keeps them 24 hours). */
  maxRecordAgeHours: 6,
  /** Lambda's own limit for the handler; a full batch at the slowest rate fits with room to spare. */
  timeoutSeconds: 120,
  /** Only these entities can ask for a side effect; the rest (counters, memberships...) never invoke the handler. */
  entities: ['Invitation', 'User', 'Migration', 'Organization'],
} as const;

/**
 * SES's delivery events for invitation emails: the configuration set publishes them to the default EventBridge bus and
 * a rule invokes this handler (`infra/constructs/outbox.ts`); locally the SES endpoint's events reach the same handler.
 */
export const SES_EVENTS = {
  handler: 'outbox/handlers/ses-event',
  /** EventBridge's `detail-type` for the events that mean an email will not arrive. */
  detailTypes: ['Email Bounced', 'Email Complaint Received', 'Email Rejected'],
  /** Asynchronous invocation retries of a failing event, then it goes to the outbox's failure queue. */
  retryAttempts: 8,
} as const;
