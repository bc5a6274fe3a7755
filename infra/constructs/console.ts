import { Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Function as CfFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildConsoleToDirectory } from '../../console/build.ts';
import { CONSOLE_HEADERS, consoleCsp, originOf } from '../../console/headers.ts';

export interface ConsoleHostingProps {
  /** The HTTP API's endpoint (`https://<id>.execute-api.<region>.amazonaws.com`): CloudFront sends `/api/*` there. */
  apiEndpoint: string;
  /** What the console's config.json says: the OpenID Connect issuer and the console's public client id. */
  issuer: string;
  clientId: string;
  /** Both, when the provider's endpoints are not on the issuer's origin (Cognito's hosted UI). */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  retain: boolean;
}

/** Path prefix of the console, as locally (`npm start` serves it at /console/). */
const PREFIX = 'console';

/**
 * The web console: static files in a private S3 bucket behind CloudFront (origin access control), security headers
 * on every answer, `config.json` written at deploy time. `/api/*` goes to the HTTP API through the same
 * distribution, so the console calls its own origin (no CORS, `connect-src 'self'`) exactly as it does locally.
 */
export class ConsoleHosting extends Construct {
  readonly distribution: Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    // Server access logs delivered under a bucket policy, not the legacy LogDeliveryWrite ACL.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const removal = props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with ACLs, which need object-writer ownership.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: removal,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket of the console; logging it into itself would loop.',
    });
    const site = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      removalPolicy: removal,
    });

    const authOrigins = [
      ...originOf(props.issuer),
      ...originOf(props.authorizationEndpoint),
      ...originOf(props.tokenEndpoint),
    ];
    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Organization console: CSP, HSTS, nosniff, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleCsp([...new Set(authOrigins)]),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(CONSOLE_HEADERS.hstsSeconds),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    // S3 answers a key, not a directory: /console/ is /console/index.html, and / leads to the console.
    const paths = new CfFunction(this, 'ConsolePaths', {
      comment: 'Serve /console/ as /console/index.html; redirect / to /console/',
      code: FunctionCode.fromInline(
        `function handler(event) {
  var r = event.request;
  if (r.uri === '/' || r.uri === '/${PREFIX}') {
    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/${PREFIX}/' } } };
  }
  if (r.uri === '/${PREFIX}/') r.uri = '/${PREFIX}/index.html';
  return r;
}`,
      ),
    });
    // https://<id>.execute-api.<region>.amazonaws.com → its host name.
    const apiHost = Fn.select(2, Fn.split('/', props.apiEndpoint));
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Organization console and API',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(site),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: paths, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new HttpOrigin(apiHost),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // Everything the viewer sent (the Authorization header included) but Host, which API Gateway needs as its own.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        },
      },
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The console and API serve members worldwide; no country is excluded by the product.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No WAF for now: the API behind /api/* is throttled per stage and authorizes every call with a JWT; add a web ACL when traffic warrants its cost.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot pin a minimum TLS version; deploy with a custom domain and certificate to enforce TLSv1.2_2021.',
      },
    );
    this.url = `https://${this.distribution.distributionDomainName}`;

    const deployment = new BucketDeployment(this, 'Files', {
      destinationBucket: site,
      destinationKeyPrefix: `${PREFIX}/`,
      sources: [
        Source.asset(buildConsoleToDirectory()),
        // Injected at deploy time: the API is this origin's /api/*, the provider is the stack's issuer.
        Source.jsonData('config.json', {
          apiUrl: '',
          issuer: props.issuer,
          clientId: props.clientId,
          ...(props.authorizationEndpoint && props.tokenEndpoint
            ? { authorizationEndpoint: props.authorizationEndpoint, tokenEndpoint: props.tokenEndpoint }
            : {}),
        }),
      ],
      // Revalidated on every request (an ETag makes that a 304), so a deploy shows at once without invalidating
      // the distribution, which would give the deployment's handler cloudfront:* on every distribution.
      cacheControl: [CacheControl.noCache()],
      memoryLimit: 256,
    });
    // The deployment's handler is one singleton function of the stack, shared by every BucketDeployment.
    const handler = Stack.of(this).node.children.find((c) =>
      c.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    const siteObjects = `<${Stack.of(this).getLogicalId(site.node.defaultChild as never)}.Arn>/*`;
    const region = Token.isUnresolved(Stack.of(this).region) ? '<AWS::Region>' : Stack.of(this).region;
    const acknowledgements: [string, string][] = [
      [
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's BucketDeployment handler uses the basic execution role for its own logs only.",
      ],
      ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map(
        (action): [string, string] => [
          `AwsSolutions-IAM5[Action::${action}]`,
          `BucketDeployment's grant (${action}) on the console bucket and the CDK asset bucket only, to copy the files.`,
        ],
      ),
      [
        `AwsSolutions-IAM5[Resource::${siteObjects}]`,
        "The console bucket's objects: where the files are copied.",
      ],
      [
        'AwsSolutions-L1',
        "The BucketDeployment handler's runtime is chosen by aws-cdk-lib and follows its releases.",
      ],
    ];
    for (const target of [deployment, ...(handler ? [handler] : [])]) {
      for (const [ackId, reason] of acknowledgements)
        Validations.of(target).acknowledge({ id: ackId, reason });
      // The CDK asset bucket's objects (the zipped console), whatever the bootstrap qualifier and region.
      Validations.of(target).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-${region}/*]`,
        reason: 'The CDK asset bucket objects BucketDeployment copies the console from.',
      });
    }
  }
}
