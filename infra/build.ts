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
  const stack = new MembershipStack(app, `OrgMembership-${stage}`, {
    description: 'Organization membership service (API, functions, table, email, workflows)',
    senderEmail: ctx('senderEmail'),
    ...(senderDomain ? { senderDomain } : {}),
    publicBaseUrl: ctx('publicBaseUrl'),
    jwtIssuer: ctx('jwtIssuer'),
    jwtAudience: ctx('jwtAudience')
      .split(',')
      .map((s) => s.trim()),
    consoleOrigin: ctx('consoleOrigin'),
    retainData: !throwaway,
    emailSendRatePerSecond: emailRate(app.node.tryGetContext('emailSendRatePerSecond') ?? 14),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
