import { resolve } from 'node:path';
import { ArnFormat, CfnOutput, RemovalPolicy, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { WORKFLOW_TASKS } from '../functions/migrations/tasks.ts';
import { OUTBOX_MAPPING, SES_EVENTS } from '../functions/outbox/mapping.ts';
import { ENV } from '../functions/shared/env-names.ts';
import { ACCESS, type HandlerName } from './access.ts';
import { Api } from './constructs/api.ts';
import { ConsoleHosting } from './constructs/console.ts';
import { Email } from './constructs/email.ts';
import { Functions } from './constructs/functions.ts';
import { defaultDomainPrefix, Identity, type SignIn } from './constructs/identity.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Outbox } from './constructs/outbox.ts';
import { MembershipTable } from './constructs/table.ts';
import { Workflow } from './constructs/workflow.ts';

export interface MembershipStackProps extends StackProps {
  senderEmail: string;
  senderDomain?: string;
  publicBaseUrl: string;
  /**
   * An existing OpenID Connect provider (Cognito elsewhere, Auth0, Okta, Entra ID…): its issuer, the audiences the
   * authorizer accepts, and the public client pages sign in with (default: the first audience). Without it, the
   * stack creates a Cognito user pool.
   */
  externalIssuer?: { issuer: string; audience: string[]; clientId?: string };
  /** The hosted UI prefix of the stack's own user pool (default `org-membership-<stage>-<account>`). */
  cognitoDomainPrefix?: string;
  consoleOrigin: string;
  /** Production keeps the table (RETAIN, deletion protection) and logs; throwaway stages do not. */
  retainData: boolean;
  /** SES's sending rate for the account (a new production account: 14); the outbox sends at most this many a second. */
  emailSendRatePerSecond: number;
  /** An address the alarms topic emails (`-c alarmEmail=...`); without it the topic has no subscription. */
  alarmEmail?: string;
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
    // The user pool's client is created before the functions (their environment names it); its trigger after.
    let identity: Identity | undefined;
    let signIn: SignIn;
    if (props.externalIssuer) {
      const { issuer, audience, clientId } = props.externalIssuer;
      signIn = { issuer, audience, clientId: clientId ?? audience[0]! };
    } else {
      identity = new Identity(this, 'Identity', {
        appUrls: [props.publicBaseUrl, props.consoleOrigin].map((u) => u.replace(/\/+$/, '')),
        domainPrefix:
          props.cognitoDomainPrefix ?? defaultDomainPrefix(this.node.tryGetContext('stage') ?? 'dev'),
        publicBaseUrl: props.publicBaseUrl,
        retain: props.retainData,
      });
      signIn = identity.signIn;
    }
    // The SSO bridge signs its id_tokens and access tokens in KMS (the private key never leaves it); its public half is
    // the bridge's JWKS. With an external issuer the bridge exists but nothing federates to it (docs/deploying.md).
    const ssoSigningKey = new Key(this, 'SsoSigningKey', {
      description: 'Signs the SSO bridge tokens (RS256)',
      keySpec: KeySpec.RSA_2048,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const functions = new Functions(this, 'Functions', {
      table,
      emailResources: email.sendResources,
      retainLogs: props.retainData,
      ssoSigningKey,
      ssoEnvironment: {
        [ENV.ssoSigningKeyId]: ssoSigningKey.keyId,
        ...(identity ? { [ENV.ssoClients]: identity.ssoClients } : {}),
      },
      environment: {
        [ENV.tableName]: table.tableName,
        [ENV.senderEmail]: props.senderEmail,
        [ENV.publicBaseUrl]: props.publicBaseUrl,
        [ENV.sesConfigurationSet]: email.configurationSet.configurationSetName,
        [ENV.stateMachineArn]: stateMachineArn,
        [ENV.emailSendRatePerSecond]: String(props.emailSendRatePerSecond),
        [ENV.oidcIssuer]: signIn.issuer,
        [ENV.oidcClientId]: signIn.clientId,
        ...(signIn.authorizationEndpoint && signIn.tokenEndpoint
          ? {
              [ENV.oidcAuthorizationEndpoint]: signIn.authorizationEndpoint,
              [ENV.oidcTokenEndpoint]: signIn.tokenEndpoint,
            }
          : {}),
      },
    });
    identity?.addAccessTokenClaims(functions.get('auth/handlers/pre-token'));
    const outbox = new Outbox(this, 'Outbox', {
      table,
      handler: functions.get(OUTBOX_MAPPING.handler),
      sesEvents: { handler: functions.get(SES_EVENTS.handler), configurationSet: email.configurationSet },
    });
    const workflow = new Workflow(this, 'Migration', {
      definitionFile: resolve(import.meta.dirname, '../workflows/migration.asl.json'),
      stateMachineName,
      tasks: Object.fromEntries(
        Object.entries(WORKFLOW_TASKS).map(([sub, handler]) => [sub, functions.get(handler)]),
      ),
      retainLogs: props.retainData,
    });
    for (const [name, access] of Object.entries(ACCESS) as [HandlerName, (typeof ACCESS)[HandlerName]][]) {
      // A trigger exists only with the stack's own user pool, the authorizer only as an option; neither needs workflows.
      if (access.cognitoTrigger || access.apiAuthorizer) continue;
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
        // cdk-nag names the region as the template holds it: a token, or the region `cdk synth` resolved from the env.
        const region = Token.isUnresolved(this.region) ? '<AWS::Region>' : this.region;
        const account = Token.isUnresolved(this.account) ? '<AWS::AccountId>' : this.account;
        Validations.of(fn.role!).acknowledge({
          id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${region}:${account}:execution:${stateMachineName}:*]`,
          reason:
            'StopExecution is granted on execution ARNs, whose last part is the execution name (a migration id chosen at run time): the wildcard is the executions of this one state machine.',
        });
      }
    }
    const api = new Api(this, 'Api', {
      functions,
      jwtIssuer: signIn.issuer,
      jwtAudience: signIn.audience,
      authorizer: this.node.tryGetContext('authorizer') === 'lambda' ? 'lambda' : 'jwt',
      consoleOrigin: props.consoleOrigin,
      retainLogs: props.retainData,
    });
    new Monitoring(this, 'Monitoring', {
      functions: functions.byHandler,
      httpApi: api.httpApi,
      alarms: [outbox.failedAlarm, outbox.lagAlarm, workflow.failedAlarm],
      ...(props.alarmEmail ? { alarmEmail: props.alarmEmail } : {}),
    });
    const consoleHosting = new ConsoleHosting(this, 'Console', {
      apiEndpoint: api.httpApi.apiEndpoint,
      // The console signs in as the pages do: the same issuer, public client and (Cognito) hosted UI endpoints.
      issuer: signIn.issuer,
      clientId: signIn.clientId,
      ...(signIn.authorizationEndpoint && signIn.tokenEndpoint
        ? { authorizationEndpoint: signIn.authorizationEndpoint, tokenEndpoint: signIn.tokenEndpoint }
        : {}),
      retain: props.retainData,
    });
    new CfnOutput(this, 'ApiUrl', { value: api.httpApi.apiEndpoint });
    new CfnOutput(this, 'ConsoleUrl', { value: `${consoleHosting.url}/console/` });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'OidcIssuer', { value: signIn.issuer });
    new CfnOutput(this, 'OidcClientId', { value: signIn.clientId });
    if (identity) new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
  }
}
