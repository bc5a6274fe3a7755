import { resolve } from 'node:path';
import { ArnFormat, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { OUTBOX_MAPPING } from '../functions/outbox/mapping.ts';
import { ENV } from '../functions/shared/env-names.ts';
import { WORKFLOW_TASKS } from '../functions/workflow/tasks.ts';
import { ACCESS, type HandlerName } from './access.ts';
import { Api } from './constructs/api.ts';
import { Email } from './constructs/email.ts';
import { Functions } from './constructs/functions.ts';
import { Outbox } from './constructs/outbox.ts';
import { MembershipTable } from './constructs/table.ts';
import { Workflow } from './constructs/workflow.ts';

export interface MembershipStackProps extends StackProps {
  senderEmail: string;
  senderDomain?: string;
  publicBaseUrl: string;
  jwtIssuer: string;
  jwtAudience: string[];
  consoleOrigin: string;
  /** Production keeps the table (RETAIN, deletion protection) and logs; throwaway stages do not. */
  retainData: boolean;
  /** SES's sending rate for the account (a new production account: 14); the outbox sends at most this many a second. */
  emailSendRatePerSecond: number;
}

export class MembershipStack extends Stack {
  constructor(scope: Construct, id: string, props: MembershipStackProps) {
    super(scope, id, props);
    const { table } = new MembershipTable(this, 'Data', { retain: props.retainData });
    const email = new Email(this, 'Email', {
      senderEmail: props.senderEmail,
      senderDomain: props.senderDomain,
    });
    const stateMachineName = `${this.stackName}-migration`;
    const stateMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const functions = new Functions(this, 'Functions', {
      table,
      emailResources: email.sendResources,
      retainLogs: props.retainData,
      environment: {
        [ENV.tableName]: table.tableName,
        [ENV.senderEmail]: props.senderEmail,
        [ENV.publicBaseUrl]: props.publicBaseUrl,
        [ENV.sesConfigurationSet]: email.configurationSet.configurationSetName,
        [ENV.stateMachineArn]: stateMachineArn,
        [ENV.emailSendRatePerSecond]: String(props.emailSendRatePerSecond),
      },
    });
    new Outbox(this, 'Outbox', { table, handler: functions.get(OUTBOX_MAPPING.handler) });
    const workflow = new Workflow(this, 'Migration', {
      definitionFile: resolve(import.meta.dirname, '../workflows/migration.asl.json'),
      stateMachineName,
      tasks: Object.fromEntries(
        Object.entries(WORKFLOW_TASKS).map(([sub, handler]) => [sub, functions.get(handler)]),
      ),
      retainLogs: props.retainData,
    });
    for (const [name, access] of Object.entries(ACCESS) as [HandlerName, (typeof ACCESS)[HandlerName]][]) {
      const fn = functions.get(name);
      if (access.workflowCallback) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
            resources: [stateMachineArn],
          }),
        );
      }
      if (access.startWorkflow) {
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['states:StartExecution'], resources: [stateMachineArn] }),
        );
      }
      if (access.stopWorkflow) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['states:StopExecution'],
            resources: [
              this.formatArn({
                service: 'states',
                resource: 'execution',
                resourceName: `${stateMachineName}:*`,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ],
          }),
        );
        Validations.of(fn.role!).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineName}:*]`,
          reason:
            'StopExecution is granted on execution ARNs, whose last part is the execution name (a migration id chosen at run time): the wildcard is the executions of this one state machine.',
        });
      }
    }
    const api = new Api(this, 'Api', {
      functions,
      jwtIssuer: props.jwtIssuer,
      jwtAudience: props.jwtAudience,
      consoleOrigin: props.consoleOrigin,
      retainLogs: props.retainData,
    });
    new CfnOutput(this, 'ApiUrl', { value: api.httpApi.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
  }
}
