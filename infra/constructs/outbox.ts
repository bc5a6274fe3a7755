import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, FilterRule, type IFunction, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { type ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_MAPPING, SES_EVENTS } from '../../functions/outbox/mapping.ts';

export interface OutboxProps {
  table: TableV2;
  /** The outbox handler (`functions/outbox/handlers/stream.ts`). */
  handler: IFunction;
  /** SES's bounce and complaint events for the emails sent with `configurationSet` go to this handler. */
  sesEvents: { handler: IFunction; configurationSet: ConfigurationSet };
}

/**
 * The table's stream feeding the outbox handler: retried, bisected on error, partial batch responses, records too old
 * or failed too often sent to a queue that an alarm watches. One invocation per shard at a time (ordered per item);
 * the email rate is held across shards by a counter in the table, not by concurrency.
 */
export class Outbox extends Construct {
  readonly deadLetters: Queue;
  readonly failedAlarm: Alarm;
  readonly lagAlarm: Alarm;

  constructor(scope: Construct, id: string, props: OutboxProps) {
    super(scope, id);
    this.deadLetters = new Queue(this, 'Failed', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the on-failure destination of the outbox stream mapping: it holds batch descriptions for an operator, not messages that a consumer could fail on.',
    });
    props.handler.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: OUTBOX_MAPPING.batchSize,
        parallelizationFactor: OUTBOX_MAPPING.parallelizationFactor,
        retryAttempts: OUTBOX_MAPPING.retryAttempts,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        maxRecordAge: Duration.hours(OUTBOX_MAPPING.maxRecordAgeHours),
        onFailure: new SqsDlq(this.deadLetters),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { NewImage: { entity: { S: FilterRule.or(...OUTBOX_MAPPING.entities) } } },
          }),
        ],
      }),
    );
    // A bounce, complaint or rejection arrives after SES took the email: the configuration set publishes it to the
    // default bus, and a rule hands it to the handler that marks the invitation. Events that fail every retry go to the
    // same queue (and alarm) as failed stream records.
    const bus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    props.sesEvents.configurationSet.addEventDestination('DeliveryEvents', {
      destination: EventDestination.eventBus(bus),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.REJECT],
    });
    new Rule(this, 'SesDeliveryEvents', {
      eventBus: bus,
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...SES_EVENTS.detailTypes],
        detail: {
          mail: {
            tags: { 'ses:configuration-set': [props.sesEvents.configurationSet.configurationSetName] },
          },
        },
      },
      targets: [
        new LambdaFunction(props.sesEvents.handler, {
          retryAttempts: SES_EVENTS.retryAttempts,
          maxEventAge: Duration.hours(OUTBOX_MAPPING.maxRecordAgeHours),
          deadLetterQueue: this.deadLetters,
        }),
      ],
    });
    this.failedAlarm = new Alarm(this, 'SideEffectsFailed', {
      alarmDescription:
        'Outbox records failed every retry (an email not sent, a migration not resumed or ended): the queue holds the shard and sequence numbers; read the outbox function logs for the error.',
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.lagAlarm = new Alarm(this, 'SideEffectsLagging', {
      alarmDescription:
        'The outbox is more than 15 minutes behind the table (SES throttling, a failing dependency being retried): emails and migration resumes are late.',
      metric: props.handler.metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 15 * 60_000,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
