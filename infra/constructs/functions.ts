import { join, resolve } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import {
  type AddToPrincipalPolicyResult,
  PolicyDocument,
  PolicyStatement,
  Role,
  type RoleProps,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { OUTBOX_MAPPING } from '../../functions/outbox/mapping.ts';
import { IDEMPOTENCY_LEADING_KEYS, TABLE } from '../../functions/shared/table.ts';
import { webBuildCliArgs } from '../../web/build.ts';
import { WEB_DIST } from '../../web/files.ts';
import { ACCESS, type HandlerName } from '../access.ts';
import { BUNDLE } from '../bundling.ts';
import { functionId } from '../deployed-names.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every function's memory (MB); `npm run bench` prices Lambda time at it. */
export const FUNCTION_MEMORY_MB = 512;

export interface FunctionsProps {
  table: TableV2;
  environment: Record<string, string>;
  /** Resources `ses:SendEmail` is allowed on. */
  emailResources: string[];
  retainLogs: boolean;
  /** The SSO bridge's signing key (`ssoSigning` access). */
  ssoSigningKey: IKey;
  /** Only for the functions with `ssoSigning` access, on top of `environment`. */
  ssoEnvironment: Record<string, string>;
}

/**
 * A role whose statements are its own inline policy (in the `AWS::IAM::Role`), not a separate `AWS::IAM::Policy`: every
 * grant (ours, the log group's, tracing's, the event source's) lands in it. One resource per function less keeps the
 * stack under CloudFormation's 500 resources.
 */
class InlineRole extends Role {
  private readonly statements: PolicyDocument;

  constructor(scope: Construct, id: string, props: RoleProps) {
    const statements = new PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { Access: statements } });
    this.statements = statements;
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    this.statements.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}

/** One Lambda per handler module, bundled by the local esbuild (no Docker), each with only the access it needs. */
export class Functions extends Construct {
  readonly byHandler = new Map<HandlerName, NodejsFunction>();
  private readonly props: FunctionsProps;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    this.props = props;
    for (const name of Object.keys(ACCESS) as HandlerName[])
      if (!ACCESS[name].cognitoTrigger && !ACCESS[name].apiAuthorizer) this.create(name);
  }

  /**
   * The function of a handler; a Cognito trigger (only the stack's own pool has one) and the Lambda authorizer (only
   * with `-c authorizer=lambda`) are created on first ask.
   */
  get(name: HandlerName): NodejsFunction {
    if (!this.byHandler.has(name) && (ACCESS[name].cognitoTrigger || ACCESS[name].apiAuthorizer))
      this.create(name);
    const fn = this.byHandler.get(name);
    if (!fn) throw new Error(`No function for handler ${name}`);
    return fn;
  }

  private create(name: HandlerName): void {
    const id = functionId(name);
    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: this.props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to its own log group and nothing else.
    const role = new InlineRole(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this, id, {
      role,
      entry: resolve(ROOT, 'functions', `${name}.ts`),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: FUNCTION_MEMORY_MB,
      // The outbox paces emails at SES's rate: a full batch needs longer than a request does.
      timeout: Duration.seconds(name === OUTBOX_MAPPING.handler ? OUTBOX_MAPPING.timeoutSeconds : 15),
      environment: ACCESS[name].cognitoTrigger
        ? {}
        : { ...this.props.environment, ...(ACCESS[name].ssoSigning ? this.props.ssoEnvironment : {}) },
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      // Lambda traces each invocation (init, duration) and joins the API's and the state machine's traces. The SDK
      // clients are not wrapped: Powertools Tracer brings aws-xray-sdk-core (+127 KB minified per bundle), which
      // would push the DynamoDB-only handlers from about 280 KB past 400 KB and lengthen every cold start.
      tracing: Tracing.ACTIVE,
      depsLockFilePath: resolve(ROOT, 'package-lock.json'),
      projectRoot: ROOT,
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE.target,
        minify: BUNDLE.minify,
        sourceMap: true,
        // Bundle the AWS SDK: one pinned version everywhere, not the runtime's copy.
        externalModules: [],
        mainFields: BUNDLE.mainFields,
        esbuildArgs: { '--alias': Object.entries(BUNDLE.alias).map(([from, to]) => `${from}=${to}`) },
        banner: BUNDLE.banner,
        forceDockerBundling: false,
        ...(ACCESS[name].webAssets
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                // The same esbuild, the same options as `npm start` (web/build.ts), into the function's bundle.
                afterBundling: (inputDir: string, outputDir: string) => [
                  [
                    join(inputDir, 'node_modules/.bin/esbuild'),
                    ...webBuildCliArgs(inputDir, join(outputDir, WEB_DIST)),
                  ]
                    .map((a) => `"${a}"`)
                    .join(' '),
                ],
              },
            }
          : {}),
      },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the code and its lockfile are tested for Node 22; a runtime upgrade is a tested change.',
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords accept no narrower resource than "*".',
    });
    this.grant(fn, ACCESS[name]);
    this.byHandler.set(name, fn);
  }

  private grant(fn: NodejsFunction, access: (typeof ACCESS)[HandlerName]): void {
    const { table } = this.props;
    if (access.read) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: [
            'dynamodb:GetItem',
            'dynamodb:BatchGetItem',
            'dynamodb:Query',
            'dynamodb:ConditionCheckItem',
          ],
          resources: [table.tableArn, ...TABLE.indexes.map((i) => `${table.tableArn}/index/${i.indexName}`)],
        }),
      );
    }
    if (access.write?.length) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: access.write.map((a) => `dynamodb:${a}`),
          resources: [table.tableArn],
        }),
      );
    }
    if (access.idempotency) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          resources: [table.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [IDEMPOTENCY_LEADING_KEYS] } },
        }),
      );
    }
    if (access.ssoSigning) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['kms:Sign', 'kms:GetPublicKey'],
          resources: [this.props.ssoSigningKey.keyArn],
        }),
      );
    }
    if (access.email) {
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['ses:SendEmail'], resources: this.props.emailResources }),
      );
    }
  }
}
