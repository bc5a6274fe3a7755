/**
 * The month `npm run bench` prices: a stated workload (counts of the operations it measures) and the monthly items the
 * stack creates whatever the traffic. Change the counts here; docs/operations.md quotes them with the result.
 */
import { ACCESS } from '../infra/access.ts';
import type { Fixed } from './cost.ts';

/** 1,000 organizations of about 20 members each (20,000 members), a month of ordinary use. */
export const WORKLOAD = {
  organizations: 1000,
  members: 20_000,
  perMonth: {
    'create organization': 100,
    /** Invitations one address at a time; 80 % of them accepted within the month. */
    'invite 1 address': 2000,
    /** Onboarding a team at once. */
    'invite 25 addresses': 40,
    accept: 2400,
    /** Every member opens the members page about 10 times a month. */
    'list members (first page)': 200_000,
    'add a role': 1000,
    'remove a member': 300,
    leave: 200,
    /** Migrations of an organization with 1 deployment, and with 10. */
    'migration (1 deployment)': 40,
    'migration (10 deployments)': 10,
  },
} as const;

/**
 * Log bytes ingested per Lambda invocation, an assumption (the bench runs with logging off): one `request` JSON line
 * of about 400 bytes plus Lambda's START and REPORT platform lines in JSON, about 600 bytes; the API's access log
 * line, about 250 bytes per request. The state machine logs every state at ALL with input and output: about 1 KB per
 * transition.
 */
export const LOG_BYTES = { perInvocation: 1000, perApiRequest: 250, perTransition: 1000 } as const;

/**
 * Monthly items of the deployed stack (infra/constructs/monitoring.ts): an alarm per function (errors + throttles),
 * one on the API's 5xx, the outbox's two (failed, lagging), the workflow's one (failed executions); one dashboard;
 * two KMS keys (the alarm topic's, the SSO bridge's signing key; its Sign requests are priced per SSO sign-in, bench/sso.ts). The Cognito trigger is a function only with the stack's own user pool.
 * test/infra/stack.test.ts checks the count against the synthesized template.
 */
export function stackFixed(opts: { ownUserPool: boolean }): Fixed {
  // The Lambda authorizer is a function only with `-c authorizer=lambda` (not priced here).
  const functions = Object.values(ACCESS).filter(
    (a) =>
      (opts.ownUserPool || !('cognitoTrigger' in a && a.cognitoTrigger)) &&
      !('apiAuthorizer' in a && a.apiAuthorizer),
  ).length;
  return { alarms: functions + 4, dashboards: 1, kmsKeys: 2 };
}
