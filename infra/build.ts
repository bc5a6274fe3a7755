/** Builds the CDK app (used by `infra/app.ts` and the infra tests). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MembershipStack } from './stack.ts';

function emailRate(value: unknown): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`emailSendRatePerSecond must be a positive integer (SES's sending rate), got "${value}"`);
  return n;
}

export function buildApp(app = new App()): { app: App; stack: MembershipStack } {
  const ctx = (key: string): string => {
    const value = app.node.tryGetContext(key);
    if (typeof value !== 'string' || value === '')
      throw new Error(`Set the CDK context value "${key}" (cdk.json or -c ${key}=...)`);
    return value;
  };
  const stage = (app.node.tryGetContext('stage') as string | undefined) ?? 'dev';
  const throwaway = String(app.node.tryGetContext('throwaway') ?? 'false') === 'true';
  const senderDomain = app.node.tryGetContext('senderDomain') as string | undefined;
  const optional = (key: string): string | undefined => {
    const value = app.node.tryGetContext(key);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  // With -c jwtIssuer: that provider (and -c jwtAudience, -c oidcClientId); without: the stack's own Cognito pool.
  const jwtIssuer = optional('jwtIssuer');
  const clientId = optional('oidcClientId');
  const domainPrefix = optional('cognitoDomainPrefix');
  const alarmEmail = optional('alarmEmail');
  const stack = new MembershipStack(app, `OrgMembership-${stage}`, {
    description: 'Organization membership service (API, functions, table, email, workflows)',
    senderEmail: ctx('senderEmail'),
    ...(senderDomain ? { senderDomain } : {}),
    publicBaseUrl: ctx('publicBaseUrl'),
    ...(jwtIssuer
      ? {
          externalIssuer: {
            issuer: jwtIssuer,
            audience: ctx('jwtAudience')
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
            ...(clientId ? { clientId } : {}),
          },
        }
      : {}),
    ...(domainPrefix ? { cognitoDomainPrefix: domainPrefix } : {}),
    consoleOrigin: ctx('consoleOrigin'),
    retainData: !throwaway,
    ...(alarmEmail ? { alarmEmail } : {}),
    emailSendRatePerSecond: emailRate(app.node.tryGetContext('emailSendRatePerSecond') ?? 14),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
