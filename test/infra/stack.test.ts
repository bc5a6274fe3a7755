import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { stackFixed } from '../../bench/workload.ts';
import { WORKFLOW_TASKS } from '../../functions/migrations/tasks.ts';
import { OUTBOX_MAPPING, SES_EVENTS } from '../../functions/outbox/mapping.ts';
import { ROUTES } from '../../functions/routes.ts';
import { METRIC, OBSERVABILITY } from '../../functions/shared/observability.ts';
import { TABLE } from '../../functions/shared/table.ts';
import type { HandlerName } from '../../infra/access.ts';
import { buildApp } from '../../infra/build.ts';
import { functionId } from '../../infra/deployed-names.ts';

const CONTEXT = {
  senderEmail: 'no-reply@example.com',
  publicBaseUrl: 'https://console.example.com',
  jwtIssuer: 'https://issuer.example.com/',
  jwtAudience: 'console',
  consoleOrigin: 'https://console.example.com',
};

type Resource = {
  Type: string;
  Properties: Record<string, any>;
  DeletionPolicy?: string;
  DependsOn?: string[];
};
/** The default template without its resources (parameters, rules, outputs), to lint another mode's resources in. */
const withoutResources = () => {
  const { Resources: _r, Outputs: _o, ...rest } = template.toJSON();
  return rest;
};
let template: Template;
let resources: Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  // Synthesizing runs every Validations plugin (cdk-nag): an unacknowledged finding throws here.
  const { app, stack } = buildApp(new App({ context: CONTEXT }));
  app.synth();
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

describe('table', () => {
  it('has the shared key schema, GSI and TTL attribute, on demand, with PITR, encryption and retention in production', () => {
    const [[, table]] = ofType('AWS::DynamoDB::GlobalTable') as [[string, Resource]];
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.Properties.GlobalSecondaryIndexes.map((g: { IndexName: string }) => g.IndexName)).toEqual(
      TABLE.indexes.map((i) => i.indexName),
    );
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: TABLE.ttlAttribute,
      Enabled: true,
    });
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.Properties.Replicas[0].PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(
      true,
    );
    expect(table.Properties.Replicas[0].DeletionProtectionEnabled).toBe(true);
    expect(table.DeletionPolicy).toBe('Retain');
  });

  it('relaxes retention for throwaway stages', () => {
    const { stack } = buildApp(
      new App({ context: { ...CONTEXT, throwaway: 'true', 'aws:cdk:bundling-stacks': [] } }),
    );
    const t = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
    const table = Object.values(t).find((r) => r.Type === 'AWS::DynamoDB::GlobalTable')!;
    expect(table.DeletionPolicy).toBe('Delete');
  });
});

describe('functions', () => {
  it('one Node.js 22 arm64 function per handler with JSON logs, a retained log group and the table name', () => {
    // The console's BucketDeployment brings CDK's own copy handler; it is not one of ours.
    const fns = ofType('AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'));
    const handlers = new Set([
      ...ROUTES.map((r) => r.handler),
      ...Object.values(WORKFLOW_TASKS),
      OUTBOX_MAPPING.handler,
      SES_EVENTS.handler,
      'api/handlers/not-found',
    ]);
    expect(fns).toHaveLength(handlers.size);
    for (const [, fn] of fns) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig.LogFormat).toBe('JSON');
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables.TABLE_NAME).toBeDefined();
    }
  });
});

describe('monitoring', () => {
  const topicId = () => ofType('AWS::SNS::Topic').map(([id]) => id);
  const ours = () =>
    ofType('AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'));

  it('sends every alarm, on ALARM and on OK, to the one topic, encrypted and TLS-only', () => {
    expect(topicId()).toHaveLength(1);
    const [topic] = topicId() as [string];
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThan(ours().length);
    for (const [id, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topic }]);
      expect(alarm.Properties.OKActions, id).toEqual([{ Ref: topic }]);
    }
    expect(resources[topic]!.Properties.KmsMasterKeyId).toBeDefined();
    const [[, policy]] = ofType('AWS::SNS::TopicPolicy') as [[string, Resource]];
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
  });

  it("alarms on each function's errors and throttles, the API's 5xx, the outbox and failed executions", () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
    const watched = (metric: string) =>
      alarms.flatMap((a) =>
        (a.Metrics ?? [])
          .filter(
            (m: { MetricStat?: { Metric: { MetricName: string } } }) =>
              m.MetricStat?.Metric.MetricName === metric,
          )
          .map(
            (m: { MetricStat: { Metric: { Dimensions: { Value: { Ref: string } }[] } } }) =>
              m.MetricStat.Metric.Dimensions[0]!.Value.Ref,
          ),
      );
    const fnIds = ours()
      .map(([id]) => id)
      .sort();
    expect([...watched('Errors')].sort()).toEqual(fnIds);
    expect([...watched('Throttles')].sort()).toEqual(fnIds);
    expect(alarms.filter((a) => a.MetricName === '5xx' && a.Namespace === 'AWS/ApiGateway')).toHaveLength(1);
    expect(alarms.filter((a) => a.MetricName === 'ExecutionsFailed')).toHaveLength(1);
    expect(alarms.filter((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible')).toHaveLength(1);
    expect(alarms.filter((a) => a.MetricName === 'IteratorAge')).toHaveLength(1);
  });

  it('has the alarms, dashboard and key `npm run bench` prices a month of (bench/workload.ts)', () => {
    const fixed = stackFixed({ ownUserPool: false });
    expect(ofType('AWS::CloudWatch::Alarm')).toHaveLength(fixed.alarms);
    expect(ofType('AWS::CloudWatch::Dashboard')).toHaveLength(fixed.dashboards);
    expect(ofType('AWS::KMS::Key')).toHaveLength(fixed.kmsKeys);
  });

  it('has a dashboard of the alarms, the API, the functions and the business metrics', () => {
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard') as [[string, Resource]];
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const metric of [...Object.values(METRIC), '5xx', 'Errors', 'Throttles'])
      expect(body, metric).toContain(metric);
    expect(body).toContain(OBSERVABILITY.namespace);
  });

  it('subscribes an email address only when -c alarmEmail is given', () => {
    expect(ofType('AWS::SNS::Subscription')).toEqual([]);
    const { stack } = buildApp(
      new App({ context: { ...CONTEXT, alarmEmail: 'ops@example.com', 'aws:cdk:bundling-stacks': [] } }),
    );
    const subs = Object.values(
      Template.fromStack(stack).toJSON().Resources as Record<string, Resource>,
    ).filter((r) => r.Type === 'AWS::SNS::Subscription');
    expect(subs.map((r) => r.Properties)).toEqual([
      expect.objectContaining({ Protocol: 'email', Endpoint: 'ops@example.com' }),
    ]);
  });
});

describe('api', () => {
  it('wires every route to its own handler, with the JWT authorizer exactly on the protected ones', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route');
    const integrations = Object.fromEntries(ofType('AWS::ApiGatewayV2::Integration'));
    for (const route of ROUTES) {
      const found = routes.find(([, r]) => r.Properties.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      const props = found![1].Properties;
      expect(props.AuthorizationType).toBe(route.auth ? 'JWT' : 'NONE');
      const integrationId = props.Target['Fn::Join'][1][1].Ref as string;
      const fnId = integrations[integrationId]!.Properties.IntegrationUri['Fn::GetAtt'][0] as string;
      expect(fnId.startsWith(`Functions${functionId(route.handler)}`), `${route.handler} -> ${fnId}`).toBe(
        true,
      );
    }
    const authorizer = ofType('AWS::ApiGatewayV2::Authorizer')[0]![1];
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: ['console'], Issuer: 'https://issuer.example.com/' },
    });
  });

  it('throttles, logs access without bodies, and allows CORS from the console origin only', () => {
    const stage = ofType('AWS::ApiGatewayV2::Stage')[0]![1];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: expect.any(Number),
      ThrottlingBurstLimit: expect.any(Number),
    });
    expect(stage.Properties.AccessLogSettings.Format).toContain('$context.routeKey');
    const api = ofType('AWS::ApiGatewayV2::Api')[0]![1];
    expect(api.Properties.CorsConfiguration.AllowOrigins).toEqual(['https://console.example.com']);
  });
});

describe('sign-in with an existing provider (-c jwtIssuer)', () => {
  it('creates no user pool, and gives the pages that issuer and the first audience as their client', () => {
    expect(ofType('AWS::Cognito::UserPool')).toEqual([]);
    expect(ofType('AWS::Lambda::Function').some(([id]) => id.startsWith('FunctionsAuthPreToken'))).toBe(
      false,
    );
    const page = ofType('AWS::Lambda::Function').find(([id]) =>
      id.startsWith('FunctionsInvitationsPage'),
    )![1];
    expect(page.Properties.Environment.Variables).toMatchObject({
      OIDC_ISSUER: 'https://issuer.example.com/',
      OIDC_CLIENT_ID: 'console',
    });
    expect(page.Properties.Environment.Variables.OIDC_TOKEN_ENDPOINT).toBeUndefined();
  });
});

describe("sign-in with the stack's own Cognito user pool (no jwtIssuer)", () => {
  const COGNITO_CONTEXT = {
    ...Object.fromEntries(Object.entries(CONTEXT).filter(([k]) => !k.startsWith('jwt'))),
    consoleOrigin: 'https://app.example.com',
  };
  let cognito: Record<string, Resource>;
  const cognitoOfType = (type: string) => Object.entries(cognito).filter(([, r]) => r.Type === type);
  beforeAll(() => {
    // cdk-nag runs here too (an unacknowledged finding throws); bundling is skipped, the first synth covered it.
    const { app, stack } = buildApp(
      new App({ context: { ...COGNITO_CONTEXT, 'aws:cdk:bundling-stacks': [] } }),
    );
    app.synth();
    cognito = Template.fromStack(stack).toJSON().Resources;
  });

  it('a user pool: sign-in by verified email, strong passwords, Plus plan with threat protection enforced', () => {
    const [[, pool]] = cognitoOfType('AWS::Cognito::UserPool') as [[string, Resource]];
    expect(pool.Properties).toMatchObject({
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      DeletionProtection: 'ACTIVE',
    });
    expect(pool.Properties.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 12,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    expect(pool.DeletionPolicy).toBe('Retain');
    // Access tokens get email, email_verified and name from the version-2 pre-token trigger.
    const trigger = pool.Properties.LambdaConfig.PreTokenGenerationConfig;
    expect(trigger.LambdaVersion).toBe('V2_0');
    expect(trigger.LambdaArn['Fn::GetAtt'][0]).toMatch(/^FunctionsAuthPreToken/);
  });

  it('one public client: authorization code with PKCE, no secret, callbacks for the invitation page and the console', () => {
    const [[, client]] = cognitoOfType('AWS::Cognito::UserPoolClient') as [[string, Resource]];
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO', 'sso'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(client.Properties.CallbackURLs.sort()).toEqual([
      'https://app.example.com/auth/callback',
      'https://app.example.com/console/',
      'https://console.example.com/auth/callback',
      'https://console.example.com/console/',
    ]);
    expect(cognitoOfType('AWS::Cognito::UserPoolDomain')).toHaveLength(1);
  });

  it('federates to the SSO bridge as the OpenID Connect provider `sso`, with explicit endpoints and a secret it never shows', () => {
    const [[idpId, idp]] = cognitoOfType('AWS::Cognito::UserPoolIdentityProvider') as [[string, Resource]];
    const issuer = 'https://console.example.com/api/v1/sso';
    expect(idp.Properties).toMatchObject({
      ProviderName: 'sso',
      ProviderType: 'OIDC',
      ProviderDetails: {
        client_id: 'cognito',
        authorize_scopes: 'openid email profile',
        oidc_issuer: issuer,
        authorize_url: `${issuer}/authorize`,
        token_url: `${issuer}/token`,
        attributes_url: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks.json`,
      },
      AttributeMapping: {
        email: 'email',
        email_verified: 'email_verified',
        name: 'name',
        'custom:sso_org': 'sso_org',
        'custom:sso_sub': 'sub',
      },
    });
    const [[secretId]] = cognitoOfType('AWS::SecretsManager::Secret') as [[string, Resource]];
    const secretRef = {
      'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']],
    };
    expect(idp.Properties.ProviderDetails.client_secret).toEqual(secretRef);
    const [[poolId, pool]] = cognitoOfType('AWS::Cognito::UserPool') as [[string, Resource]];
    expect(idp.Properties.UserPoolId).toEqual({ Ref: poolId });
    for (const name of ['sso_org', 'sso_sub'])
      expect(pool.Properties.Schema).toContainEqual(
        expect.objectContaining({ Name: name, AttributeDataType: 'String', Mutable: true }),
      );
    const [[, client]] = cognitoOfType('AWS::Cognito::UserPoolClient') as [[string, Resource]];
    expect(client.DependsOn).toContain(idpId);
    // Cognito writes mapped attributes with the client's permission; the trigger guards the custom ones.
    expect(client.Properties.WriteAttributes.sort()).toEqual([
      'custom:sso_org',
      'custom:sso_sub',
      'email',
      'email_verified',
      'name',
    ]);
    // The bridge knows the pool as its client `cognito`, with the same secret (resolved by CloudFormation).
    const bridge = cognitoOfType('AWS::Lambda::Function').find(([id]) =>
      id.startsWith('FunctionsSsoBridge'),
    )!;
    const parts = bridge[1].Properties.Environment.Variables.SSO_CLIENTS['Fn::Join'][1] as unknown[];
    const clients = parts.map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p)}>`)).join('');
    expect(clients).toContain('"client_id":"cognito"');
    expect(clients).toContain(
      `"client_secret":"{{resolve:secretsmanager:<${JSON.stringify({ Ref: secretId })}>`,
    );
    expect(clients).toMatch(/"redirect_uris":\["https:\/\/.*\/oauth2\/idpresponse"\]/);
    const page = cognitoOfType('AWS::Lambda::Function').find(([id]) =>
      id.startsWith('FunctionsInvitationsPage'),
    )!;
    expect(page[1].Properties.Environment.Variables.SSO_CLIENTS).toBeUndefined();
  });

  it('the JWT authorizer trusts the pool (issuer) and its client (Cognito access tokens carry client_id)', () => {
    const [[poolId]] = cognitoOfType('AWS::Cognito::UserPool') as [[string, Resource]];
    const [[clientId]] = cognitoOfType('AWS::Cognito::UserPoolClient') as [[string, Resource]];
    const authorizer = cognitoOfType('AWS::ApiGatewayV2::Authorizer')[0]![1];
    expect(authorizer.Properties.JwtConfiguration).toEqual({
      Issuer: { 'Fn::GetAtt': [poolId, 'ProviderURL'] },
      Audience: [{ Ref: clientId }],
    });
  });

  it('pages get the issuer, the client and the hosted UI endpoints; the trigger gets no environment (no cycle)', () => {
    const fns = cognitoOfType('AWS::Lambda::Function');
    const page = fns.find(([id]) => id.startsWith('FunctionsInvitationsPage'))![1];
    const vars = page.Properties.Environment.Variables;
    expect(Object.keys(vars)).toEqual(
      expect.arrayContaining([
        'OIDC_ISSUER',
        'OIDC_CLIENT_ID',
        'OIDC_AUTHORIZATION_ENDPOINT',
        'OIDC_TOKEN_ENDPOINT',
      ]),
    );
    expect(JSON.stringify(vars.OIDC_TOKEN_ENDPOINT)).toContain('/oauth2/token');
    const trigger = fns.find(([id]) => id.startsWith('FunctionsAuthPreToken'))![1];
    expect(trigger.Properties.Environment?.Variables ?? {}).toEqual({});
  });

  const hasCfnLint = spawnSync('cfn-lint', ['--version']).status === 0;
  it.skipIf(!hasCfnLint)('cfn-lint accepts this template too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfn-'));
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify({ Resources: cognito, ...withoutResources() }));
    const run = spawnSync('bash', ['infra/cfn-lint.sh', file], { encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});

describe('state machine', () => {
  it('inlines the ASL from workflows/ and resolves every substitution; Standard, logged at ALL, traced, alarmed', () => {
    const sm = ofType('AWS::StepFunctions::StateMachine')[0]![1];
    const definition = JSON.stringify(sm.Properties.DefinitionString);
    for (const state of ['Validate migration', 'Wait for invitation acceptance', 'Restore deployments'])
      expect(definition).toContain(state);
    const placeholders = [...definition.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
    for (const p of placeholders) expect(Object.keys(sm.Properties.DefinitionSubstitutions)).toContain(p);
    expect(sm.Properties.StateMachineType).toBe('STANDARD');
    expect(sm.Properties.LoggingConfiguration.Level).toBe('ALL');
    expect(sm.Properties.TracingConfiguration.Enabled).toBe(true);
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.some(([, a]) => a.Properties.MetricName === 'ExecutionsFailed')).toBe(true);
  });
});

describe('iam', () => {
  type Statement = { Action: string | string[]; Resource: unknown };
  // The functions' roles hold their statements inline (infra/constructs/functions.ts); other roles have policies.
  const statements = () => [
    ...ofType('AWS::IAM::Policy').flatMap(([id, p]) =>
      (p.Properties.PolicyDocument.Statement as Statement[]).map((s) => ({ id, ...s })),
    ),
    ...ofType('AWS::IAM::Role').flatMap(([id, r]) =>
      ((r.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) =>
        p.PolicyDocument.Statement.map((s) => ({ id, ...s })),
      ),
    ),
  ];

  it('grants no wildcard actions, and resource "*" only where AWS accepts nothing narrower', () => {
    for (const s of statements()) {
      const actions = ([] as string[]).concat(s.Action);
      for (const a of actions) expect(a, s.id).not.toMatch(/(^\*$|:\*$)/);
      const res = ([] as unknown[]).concat(s.Resource);
      if (res.includes('*')) {
        for (const a of actions)
          expect(a, `${s.id} ${a}`).toMatch(
            /^(xray:|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))/,
          );
      }
    }
  });

  it('gives each handler only its table actions, SES only to the outbox and the summary email, task callbacks only on the state machine', () => {
    const byFn = (handler: HandlerName) =>
      statements().filter((s) => s.id.startsWith(`Functions${functionId(handler)}Role`));
    const actionsOf = (handler: HandlerName) =>
      byFn(handler).flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actionsOf('invitations/handlers/list').filter((a) => a.startsWith('dynamodb:'))).not.toContain(
      'dynamodb:PutItem',
    );
    expect(actionsOf('members/handlers/list')).not.toContain('dynamodb:UpdateItem');
    expect(actionsOf('api/handlers/health').filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    const sesUsers = statements().filter((s) => ([] as string[]).concat(s.Action).includes('ses:SendEmail'));
    // The invite request sends nothing itself: its emails leave through the outbox.
    expect(sesUsers.map((s) => s.id.replace(/Role.*/, '')).sort()).toEqual([
      'FunctionsOutboxHandler',
      'FunctionsWorkflowNotifyUser',
    ]);
    const callbacks = statements().filter((s) =>
      ([] as string[]).concat(s.Action).includes('states:SendTaskSuccess'),
    );
    expect(callbacks.length).toBeGreaterThan(0);
    for (const s of callbacks) expect(JSON.stringify(s.Resource)).toContain(':stateMachine:');
    expect(callbacks.map((s) => s.id.replace(/Role.*/, '')).sort()).toEqual([
      'FunctionsOutboxHandler',
      'FunctionsWorkflowAwaitAcceptance',
    ]);
    const streamReaders = statements().filter((s) =>
      ([] as string[]).concat(s.Action).includes('dynamodb:GetRecords'),
    );
    expect(streamReaders.map((s) => s.id.replace(/Role.*/, ''))).toEqual(['FunctionsOutboxHandler']);
    const starters = statements().filter((s) =>
      ([] as string[]).concat(s.Action).includes('states:StartExecution'),
    );
    expect(starters.map((s) => s.id.replace(/Role.*/, ''))).toEqual(['FunctionsMigrationsStart']);
    const stoppers = statements().filter((s) =>
      ([] as string[]).concat(s.Action).includes('states:StopExecution'),
    );
    expect(stoppers.map((s) => s.id.replace(/Role.*/, ''))).toEqual(['FunctionsMigrationsCancel']);
    expect(JSON.stringify(stoppers[0]?.Resource)).toMatch(/:execution:OrgMembership-\w+-migration:\*/);
  });

  it('lets only the SSO bridge sign with its KMS key (Sign and GetPublicKey, on that key), and gives it the key id', () => {
    const [[keyId, key]] = ofType('AWS::KMS::Key').filter(
      ([, k]) => k.Properties.KeyUsage === 'SIGN_VERIFY',
    ) as [[string, Resource]];
    expect(key.Properties.KeySpec).toBe('RSA_2048');
    const kms = statements().filter((s) =>
      ([] as string[]).concat(s.Action).some((a) => a.startsWith('kms:')),
    );
    expect(kms.map((s) => s.id.replace(/Role.*/, ''))).toEqual(['FunctionsSsoBridge']);
    expect(kms[0]!.Action).toEqual(['kms:Sign', 'kms:GetPublicKey']);
    expect(kms[0]!.Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const withKey = ofType('AWS::Lambda::Function').filter(
      ([, fn]) => fn.Properties.Environment?.Variables?.SSO_SIGNING_KEY_ID,
    );
    expect(withKey.map(([id]) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual(['FunctionsSsoBridge']);
    expect(withKey[0]![1].Properties.Environment.Variables.SSO_SIGNING_KEY_ID).toEqual({ Ref: keyId });
  });
});

describe('outbox', () => {
  it('the table streams new and old images into the outbox handler: retried, bisected, partial batches, filtered', () => {
    const [[, table]] = ofType('AWS::DynamoDB::GlobalTable') as [[string, Resource]];
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: TABLE.streamViewType });
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const m = mappings[0]![1].Properties;
    expect(JSON.stringify(m.FunctionName)).toContain('FunctionsOutboxHandler');
    expect(m).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: OUTBOX_MAPPING.batchSize,
      ParallelizationFactor: 1,
      MaximumRetryAttempts: OUTBOX_MAPPING.retryAttempts,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRecordAgeInSeconds: OUTBOX_MAPPING.maxRecordAgeHours * 3600,
    });
    const pattern = JSON.parse(m.FilterCriteria.Filters[0].Pattern);
    expect(pattern.dynamodb.NewImage.entity.S.sort()).toEqual([...OUTBOX_MAPPING.entities].sort());
    const queueId = m.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0] as string;
    expect(resources[queueId]!.Type).toBe('AWS::SQS::Queue');
    const alarm = ofType('AWS::CloudWatch::Alarm').find(([, a]) =>
      JSON.stringify(a.Properties.Dimensions ?? []).includes(queueId),
    );
    expect(alarm?.[1].Properties).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
    });
    const fn = ofType('AWS::Lambda::Function').find(([id]) =>
      /^FunctionsOutboxHandler[0-9A-F]{8}$/.test(id),
    )!;
    expect(fn[1].Properties.Timeout).toBe(OUTBOX_MAPPING.timeoutSeconds);
    expect(fn[1].Properties.Environment.Variables.EMAIL_SEND_RATE_PER_SECOND).toBe('14');
  });

  it("SES's bounce, complaint and reject events reach their handler through EventBridge, failures to the same queue", () => {
    const [[, dest]] = ofType('AWS::SES::ConfigurationSetEventDestination') as [[string, Resource]];
    expect(dest.Properties.EventDestination).toMatchObject({
      Enabled: true,
      MatchingEventTypes: expect.arrayContaining(['bounce', 'complaint', 'reject']),
      EventBridgeDestination: { EventBusArn: expect.anything() },
    });
    expect(JSON.stringify(dest.Properties.EventDestination.EventBridgeDestination)).toContain(
      'event-bus/default',
    );
    const [[, rule]] = ofType('AWS::Events::Rule') as [[string, Resource]];
    expect(rule.Properties.EventPattern).toMatchObject({
      source: ['aws.ses'],
      'detail-type': [...SES_EVENTS.detailTypes],
    });
    const [target] = rule.Properties.Targets;
    expect(JSON.stringify(target.Arn)).toContain('FunctionsOutboxHandlersSesEvent');
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: SES_EVENTS.retryAttempts });
    const [mapping] = ofType('AWS::Lambda::EventSourceMapping');
    expect(target.DeadLetterConfig.Arn).toEqual(
      mapping![1].Properties.DestinationConfig.OnFailure.Destination,
    );
  });
});

describe('checks', () => {
  it('cdk-nag is live: an unacknowledged finding fails synthesis (negative control)', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new Table(stack, 'NoPitr', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow();
  });

  const hasCfnLint = spawnSync('cfn-lint', ['--version']).status === 0;
  it.skipIf(!hasCfnLint)(
    'cfn-lint accepts the synthesized template (ignored rules are named in infra/cfn-lint.sh)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'cfn-'));
      const file = join(dir, 'template.json');
      writeFileSync(file, JSON.stringify(template.toJSON()));
      const run = spawnSync('bash', ['infra/cfn-lint.sh', file], { encoding: 'utf8' });
      expect(run.status, run.stdout + run.stderr).toBe(0);
    },
  );
});

describe('logical ids', () => {
  it('are the ones deployed: moving or renaming a module never replaces a function, role, log group or alarm', async () => {
    // Every resource's logical id and type, sorted. A change here replaces (or orphans) a deployed resource: update the
    // file (`npx vitest run test/infra -u`) only when that is the intent, and say so in the commit.
    const ids = Object.fromEntries(
      Object.entries(resources)
        .map(([id, r]) => [id, r.Type] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    await expect(`${JSON.stringify(ids, null, 2)}\n`).toMatchFileSnapshot('logical-ids.json');
  });
});
