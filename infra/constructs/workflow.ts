import { readFileSync } from 'node:fs';
import { Arn, ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface WorkflowProps {
  /** The ASL file under `workflows/`, shared with the local Step Functions endpoint. */
  definitionFile: string;
  /** `${Name}` substitutions in the ASL -> the Lambda each one names. */
  tasks: Record<string, IFunction>;
  /** A fixed name, so functions the workflow calls can be granted rights on it without a dependency cycle. */
  stateMachineName: string;
  retainLogs: boolean;
}

/** A Standard state machine from an ASL file, inlined so the template holds it, logged at ALL, traced, alarmed. */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;
  /** The ARN built from the fixed name (no reference to the resource, hence no cycle). */
  readonly stateMachineArn: string;
  readonly failedAlarm: Alarm;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const logs = new LogGroup(this, 'Logs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromString(readFileSync(props.definitionFile, 'utf8')),
      definitionSubstitutions: Object.fromEntries(
        Object.entries(props.tasks).map(([name, fn]) => [name, fn.functionArn]),
      ),
      stateMachineName: props.stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.stateMachineArn = Arn.format(
      {
        service: 'states',
        resource: 'stateMachine',
        resourceName: props.stateMachineName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
    for (const [name, fn] of Object.entries(props.tasks)) {
      fn.grantInvoke(this.stateMachine);
      Validations.of(this.stateMachine.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as never)}.Arn>:*]`,
        reason: `Invoke on the versions and aliases of the ${name.replace(/Arn$/, '')} function only (CDK's grantInvoke).`,
      });
    }
    Validations.of(this.stateMachine.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing (xray:PutTraceSegments, ...) and CloudWatch Logs delivery (logs:CreateLogDelivery, ...) accept no narrower resource.',
    });
    this.failedAlarm = new Alarm(this, 'ExecutionsFailed', {
      alarmDescription: `Executions of ${id} failed: open the Step Functions console, filter by Failed, read the error and cause.`,
      metric: this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
