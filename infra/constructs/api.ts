import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
} from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpJwtAuthorizer,
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../functions/routes.ts';
import { ENV } from '../../functions/shared/env-names.ts';
import { DEPLOYED_NAME } from '../deployed-names.ts';
import type { Functions } from './functions.ts';

export interface ApiProps {
  functions: Functions;
  jwtIssuer: string;
  jwtAudience: string[];
  /**
   * `jwt` (default): API Gateway's JWT authorizer, bearer tokens only. `lambda` (`-c authorizer=lambda`): our REQUEST
   * authorizer (`functions/auth/handlers/authorizer.ts`), bearer tokens and `ApiKey` keys, its yes cached 300 s by the
   * Authorization header (the handlers check a key's state on every request: docs/api-keys.md).
   */
  authorizer?: 'jwt' | 'lambda';
  consoleOrigin: string;
  retainLogs: boolean;
  /** Steady-state requests per second and burst, for the whole stage. */
  throttle?: { rate: number; burst: number };
}

/** The HTTP API: routes from the one typed list, a JWT authorizer on protected ones, throttling, access logs, CORS. */
export class Api extends Construct {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const fallback = new HttpLambdaIntegration('Fallback', props.functions.get('api/handlers/not-found'));
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Organization membership API (Elastic Cloud organization API compatible)',
      // Unknown routes still answer with the API's error body.
      defaultIntegration: fallback,
      corsPreflight: {
        allowOrigins: [props.consoleOrigin],
        allowHeaders: ['authorization', 'content-type'],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE],
        maxAge: Duration.days(1),
      },
    });
    Validations.of(this.httpApi).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The $default route only answers 404/405 with the error body; it reads no data.',
    });
    const authorizer =
      props.authorizer === 'lambda'
        ? this.lambdaAuthorizer(props)
        : new HttpJwtAuthorizer('Jwt', props.jwtIssuer, { jwtAudience: props.jwtAudience });
    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const route of ROUTES) {
      let integration = integrations.get(route.handler);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${DEPLOYED_NAME[route.handler]}Integration`,
          props.functions.get(route.handler),
        );
        integrations.set(route.handler, integration);
      }
      const r = new HttpRoute(this, `${route.method} ${route.path}`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration,
        ...(route.auth ? { authorizer } : {}),
      });
      if (!route.auth) {
        Validations.of(r).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `Public by design (${route.who}): ${route.method} ${route.path}.`,
        });
      }
    }

    this.accessLogs(props);
  }

  private lambdaAuthorizer(props: ApiProps): HttpLambdaAuthorizer {
    const fn = props.functions.get('auth/handlers/authorizer');
    fn.addEnvironment(ENV.jwtAudience, props.jwtAudience.join(','));
    return new HttpLambdaAuthorizer('Authorizer', fn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.seconds(300),
    });
  }

  private accessLogs(props: ApiProps): void {
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const stage = this.httpApi.defaultStage?.node.defaultChild as CfnStage;
    const throttle = props.throttle ?? { rate: 200, burst: 400 };
    stage.defaultRouteSettings = { throttlingRateLimit: throttle.rate, throttlingBurstLimit: throttle.burst };
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      // No headers, no query strings, no bodies: paths are logged without invitation tokens' secrecy concerns
      // because tokens appear only in paths of routes whose access logs record the route key, not the raw path.
      format: JSON.stringify({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
        latencyMs: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
        sourceIp: '$context.identity.sourceIp',
        time: '$context.requestTime',
      }),
    };
  }
}
