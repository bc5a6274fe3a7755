/**
 * The service's name and metric namespace, and every metric it emits: one place read by the functions (Logger,
 * Metrics) and by `infra/` (the dashboard and alarms graph the same names).
 */
export const OBSERVABILITY = {
  service: 'org-membership',
  namespace: 'OrgMembership',
} as const;

/** Custom metrics (EMF, unit Count, dimension `service`). */
export const METRIC = {
  invitationsCreated: 'InvitationsCreated',
  invitationsAccepted: 'InvitationsAccepted',
  emailsSent: 'EmailsSent',
  /** SES refused the email for good (the invitation records `email_status: failed`); throttling is retried, not counted. */
  emailsFailed: 'EmailsFailed',
  migrationsStarted: 'MigrationsStarted',
  migrationsSucceeded: 'MigrationsSucceeded',
  migrationsFailed: 'MigrationsFailed',
  migrationsCancelled: 'MigrationsCancelled',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
