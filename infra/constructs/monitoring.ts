import { Duration, Stack } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRIC, OBSERVABILITY } from '../../functions/shared/observability.ts';
import type { HandlerName } from '../access.ts';
import { functionId } from '../deployed-names.ts';

export interface MonitoringProps {
  /** Every function of the stack, by handler name (`invitations/handlers/create`). */
  functions: ReadonlyMap<HandlerName, IFunction>;
  httpApi: HttpApi;
  /** Alarms other constructs own (the outbox's, the workflow's): they get the same actions and a place on the dashboard. */
  alarms: Alarm[];
  /** Where alarm notifications go by email (`-c alarmEmail=...`); without it, subscribe to the topic yourself. */
  alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * What an operator watches: one SNS topic every alarm notifies (on ALARM and on OK), an alarm per function on errors
 * or throttles, one on the API's 5xx, and one dashboard with the same figures and the business metrics.
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    // CloudWatch cannot publish to a topic under the AWS-managed SNS key: a key of our own that lets it.
    const key = new Key(this, 'AlarmsKey', {
      description: 'Encrypts the alarm notifications topic',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'], // in a key policy, "*" is this key
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.topic = new Topic(this, 'Alarms', {
      displayName: `${Stack.of(this).stackName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const fnAlarms: Alarm[] = [];
    for (const [handler, fn] of props.functions) {
      // One alarm per function (errors + throttles): it names the function at fault; two would cost twice the
      // alarms for no other action, and the template stays well under CloudFormation's 500 resources.
      fnAlarms.push(
        new Alarm(this, `${functionId(handler)}Failing`, {
          alarmDescription: `The ${handler} function failed or was throttled: read its log group (level ERROR) and its Errors and Throttles metrics.`,
          metric: new MathExpression({
            expression: 'errors + throttles',
            usingMetrics: {
              errors: fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' }),
              throttles: fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' }),
            },
            period: FIVE_MINUTES,
            label: `${handler} errors + throttles`,
          }),
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }
    const api5xx = props.httpApi.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const apiAlarm = new Alarm(this, 'Api5xx', {
      alarmDescription:
        'The API answered 5xx (a bug, or a dependency unavailable): filter the functions logs by level ERROR and message "request failed".',
      metric: api5xx,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarms.push(apiAlarm, ...props.alarms, ...fnAlarms);
    const action = new SnsAction(this.topic);
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }

    const business = (names: string[]) =>
      names.map(
        (name) =>
          new Metric({
            namespace: OBSERVABILITY.namespace,
            metricName: name,
            dimensionsMap: { service: OBSERVABILITY.service },
            statistic: 'Sum',
            period: FIVE_MINUTES,
          }),
      );
    const fns = [...props.functions.values()];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# ${Stack.of(this).stackName}\nAlarms notify the SNS topic \`${Stack.of(this).stackName} alarms\`. Logs: each function's log group, JSON, level INFO/WARN/ERROR.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 6 }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        left: [
          props.httpApi.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' }),
          props.httpApi.metricClientError({ period: FIVE_MINUTES, statistic: 'Sum' }),
          api5xx,
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency',
        left: ['p50', 'p99'].map((p) => props.httpApi.metricLatency({ period: FIVE_MINUTES, statistic: p })),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda errors (by function)',
        left: fns.map((fn) => fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Lambda throttles (by function)',
        left: fns.map((fn) => fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' })),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Invitations and emails',
        left: business([
          METRIC.invitationsCreated,
          METRIC.invitationsAccepted,
          METRIC.emailsSent,
          METRIC.emailsFailed,
        ]),
        width: 12,
      }),
      new GraphWidget({
        title: 'Migrations',
        left: business([
          METRIC.migrationsStarted,
          METRIC.migrationsSucceeded,
          METRIC.migrationsFailed,
          METRIC.migrationsCancelled,
        ]),
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      ...props.alarms.map(
        (alarm) =>
          new GraphWidget({
            title: alarm.node.path.split('/').slice(1).join(' '),
            left: [alarm.metric],
            width: 8,
          }),
      ),
    );
  }
}
