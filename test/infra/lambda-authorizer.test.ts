/**
 * The `-c authorizer=lambda` option: every protected route behind our REQUEST authorizer (bearer JWTs and API keys),
 * its yes cached 300 s by the Authorization header, simple responses; the stack stays under CloudFormation's 500.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes.ts';
import { ENV } from '../../functions/shared/env-names.ts';
import { buildApp } from '../../infra/build.ts';

type Resource = { Type: string; Properties: Record<string, any> };
let resources: Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  const { app, stack } = buildApp(
    new App({
      context: {
        senderEmail: 'no-reply@example.com',
        publicBaseUrl: 'https://console.example.com',
        jwtIssuer: 'https://issuer.example.com/',
        jwtAudience: 'console',
        consoleOrigin: 'https://console.example.com',
        authorizer: 'lambda',
      },
    }),
  );
  app.synth(); // cdk-nag runs here: an unacknowledged finding throws
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('the Lambda authorizer option', () => {
  it('puts every protected route, and only those, behind one cached REQUEST authorizer', () => {
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [[id, a]] = authorizers as [[string, Resource]];
    expect(a.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 300,
    });
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties);
    const authed = routes.filter((r) => r.AuthorizerId);
    expect(authed).toHaveLength(ROUTES.filter((r) => r.auth).length);
    for (const r of authed) {
      expect(r.AuthorizationType).toBe('CUSTOM');
      expect(r.AuthorizerId).toEqual({ Ref: id });
    }
  });

  it('gives the authorizer function the audiences and the issuer, and stays under 500 resources', () => {
    const fn = ofType('AWS::Lambda::Function').find(
      ([, f]) => f.Properties.Environment?.Variables?.[ENV.jwtAudience],
    );
    expect(fn?.[1].Properties.Environment.Variables[ENV.jwtAudience]).toBe('console');
    expect(fn?.[1].Properties.Environment.Variables[ENV.oidcIssuer]).toBe('https://issuer.example.com/');
    expect(Object.keys(resources).length).toBeLessThan(500);
  });
});
