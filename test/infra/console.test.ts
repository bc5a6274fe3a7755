/** The console's hosting in the stack: private bucket, CloudFront with origin access control, headers, config.json. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build.ts';

const CONTEXT = {
  senderEmail: 'no-reply@example.com',
  publicBaseUrl: 'https://console.example.com',
  jwtIssuer: 'https://issuer.example.com/tenant',
  jwtAudience: 'console-client',
  consoleOrigin: 'https://console.example.com',
  // Handlers are not bundled here (stack.test.ts covers them); cdk-nag still checks every resource.
  'aws:cdk:bundling-stacks': [],
};
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';

type Resource = { Type: string; Properties: Record<string, any> };
let resources: Record<string, Resource>;
let outputs: Record<string, any>;
let assemblyDir: string;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  // Synthesis runs cdk-nag: an unacknowledged finding in the console's resources throws here.
  const { app, stack } = buildApp(new App({ context: CONTEXT }));
  assemblyDir = app.synth().directory;
  const json = Template.fromStack(stack).toJSON();
  resources = json.Resources;
  outputs = json.Outputs;
});

function filesNamed(dir: string, name: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return filesNamed(path, name);
    return entry === name ? [path] : [];
  });
}

describe('console hosting', () => {
  it('keeps every bucket private: public access blocked, TLS only, and the site readable only by this distribution', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets.length).toBe(2);
    for (const [, b] of buckets) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.BucketEncryption).toBeDefined();
    }
    const [siteId] = buckets.find(([id]) => id.startsWith('ConsoleSite'))!;
    expect(resources[siteId]!.Properties.LoggingConfiguration.DestinationBucketName).toBeDefined();
    const policy = ofType('AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === siteId)![1]
      .Properties.PolicyDocument.Statement as any[];
    expect(
      policy.some((s) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false'),
    ).toBe(true);
    const allows = policy.filter((s) => s.Effect === 'Allow');
    expect(allows.length).toBeGreaterThan(0);
    for (const s of allows) {
      expect(s.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(JSON.stringify(s.Condition.StringEquals['AWS:SourceArn'])).toContain('ConsoleDistribution');
    }
  });

  it('serves the site through origin access control, HTTPS only, logged, and /api/* uncached to the HTTP API', () => {
    const [[, oac]] = ofType('AWS::CloudFront::OriginAccessControl') as [[string, Resource]];
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const [[, dist]] = ofType('AWS::CloudFront::Distribution') as [[string, Resource]];
    const cfg = dist.Properties.DistributionConfig;
    const s3Origin = cfg.Origins.find((o: any) => o.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toBeDefined();
    expect(s3Origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(cfg.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(cfg.Logging.Bucket).toBeDefined();
    const api = cfg.CacheBehaviors.find((b: any) => b.PathPattern === '/api/*');
    expect(api.CachePolicyId).toBe(CACHING_DISABLED);
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']));
    expect(api.ViewerProtocolPolicy).toBe('https-only');
    const apiOrigin = cfg.Origins.find((o: any) => o.Id === api.TargetOriginId);
    expect(JSON.stringify(apiOrigin.DomainName)).toContain('ApiHttpApi');
    expect(apiOrigin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
  });

  it('answers with a strict CSP, HSTS, nosniff, no framing and no referrer', () => {
    const [[id, policy]] = ofType('AWS::CloudFront::ResponseHeadersPolicy') as [[string, Resource]];
    const h = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp: string = h.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' https://issuer.example.com;");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(h.StrictTransportSecurity).toMatchObject({
      AccessControlMaxAgeSec: 63_072_000,
      IncludeSubdomains: true,
      Override: true,
    });
    expect(h.ContentTypeOptions).toEqual({ Override: true });
    expect(h.FrameOptions).toEqual({ FrameOption: 'DENY', Override: true });
    expect(h.ReferrerPolicy).toEqual({ ReferrerPolicy: 'no-referrer', Override: true });
    const [[, dist]] = ofType('AWS::CloudFront::Distribution') as [[string, Resource]];
    expect(dist.Properties.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({
      Ref: id,
    });
  });

  it('deploys the built console under console/ with a config.json naming the issuer and client id', () => {
    const [[, deploy]] = ofType('Custom::CDKBucketDeployment') as [[string, Resource]];
    expect(deploy.Properties.DestinationBucketKeyPrefix).toBe('console/');
    // No invalidation (and so no cloudfront:* grant): every file is revalidated.
    expect(deploy.Properties.DistributionPaths).toBeUndefined();
    expect(deploy.Properties.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(deploy.Properties.SourceObjectKeys).toHaveLength(2);
    const configs = filesNamed(assemblyDir, 'config.json').map((f) => JSON.parse(readFileSync(f, 'utf8')));
    expect(configs).toContainEqual({ apiUrl: '', issuer: CONTEXT.jwtIssuer, clientId: 'console-client' });
    const pages = filesNamed(assemblyDir, 'index.html').map((f) => readFileSync(f, 'utf8'));
    expect(pages.some((p) => p.includes('<script type="module" src="console.js">'))).toBe(true);
    expect(filesNamed(assemblyDir, 'console.js').length).toBeGreaterThan(0);
    expect(JSON.stringify(outputs.ConsoleUrl.Value)).toContain('/console/');
  });
});

describe("console hosting with the stack's own Cognito pool", () => {
  it("lets the CSP reach the hosted UI and writes the pool's client and endpoints into config.json", () => {
    const { jwtIssuer: _i, jwtAudience: _a, ...context } = CONTEXT;
    const { app, stack } = buildApp(new App({ context }));
    app.synth();
    const json = Template.fromStack(stack).toJSON();
    const all = Object.values(json.Resources) as Resource[];
    const policy = all.find((r) => r.Type === 'AWS::CloudFront::ResponseHeadersPolicy')!;
    const csp = JSON.stringify(
      policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy,
    );
    // The console skips discovery for Cognito: the browser reaches the hosted UI's token endpoint, nothing else.
    expect(csp).toContain('.amazoncognito.com');
    const deploy = all.find((r) => r.Type === 'Custom::CDKBucketDeployment')!;
    // Deploy-time values (the pool's client id, the hosted UI's endpoints) travel as markers resolved by CloudFormation.
    const markers = JSON.stringify(deploy.Properties.SourceMarkers);
    expect(markers).toContain('"ProviderURL"'); // the issuer
    expect(markers).toContain('"Ref":"IdentityUsersWeb'); // the public app client
    expect(markers).toContain('"Ref":"IdentityUsersHostedUi'); // the hosted UI's endpoints
  });
});
