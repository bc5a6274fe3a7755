/**
 * AWS list prices the bench turns its measurements into, in one place: region us-east-1, on-demand, no free tier
 * (the free tiers would make a small workload nearly free and hide what each operation costs). Recorded 2026-11-23
 * from the pricing pages below (the DynamoDB figures are those since the on-demand price cut of 1 November 2024);
 * re-check them before quoting a figure, and change the date with them.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2026-11-23',
  dynamodb: {
    // https://aws.amazon.com/dynamodb/pricing/on-demand/ (Standard table class)
    perWriteRequestUnit: 0.625 / 1e6,
    perReadRequestUnit: 0.125 / 1e6,
  },
  lambda: {
    // https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 billion GB-seconds a month; billed per 1 ms)
    perGbSecondArm: 0.0000133334,
    perRequest: 0.2 / 1e6,
  },
  apiGateway: {
    // https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs, first 300 million requests a month)
    perHttpRequest: 1.0 / 1e6,
  },
  stepFunctions: {
    // https://aws.amazon.com/step-functions/pricing/ (Standard workflows)
    perStateTransition: 0.025 / 1000,
  },
  ses: {
    // https://aws.amazon.com/ses/pricing/ (outbound email, sent from Lambda; attachments and dedicated IPs not used)
    perEmail: 0.1 / 1000,
  },
  cloudWatch: {
    // https://aws.amazon.com/cloudwatch/pricing/ (standard-resolution metric alarm, one metric each)
    perAlarmMonth: 0.1,
    perDashboardMonth: 3,
    // Logs: Standard log class ingestion (storage at $0.03/GB-month is left out: a month's retention of small lines)
    perLogGb: 0.5,
  },
  kms: {
    // https://aws.amazon.com/kms/pricing/ (customer managed key; the alarm key's requests are left out: alarms publish
    // rarely)
    perKeyMonth: 1,
    // The SSO bridge's Sign calls: RSA 2048 asymmetric requests, $0.03 per 10,000 (2 per SSO sign-in)
    perSignRequest: 0.03 / 10_000,
  },
  cognito: {
    // https://aws.amazon.com/cognito/pricing/ — users who sign in through SAML or OIDC federation, per MAU
    // (Essentials/Plus list, 2026; no free tier counted)
    perFederatedMau: 0.015,
  },
};

export type Prices = typeof PRICES;
