import { ENV } from './env-names.ts';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    // Fail loudly at cold start: a missing variable is a deployment bug, not a request error.
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

function optionalInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

export interface Config {
  tableName: string;
  senderEmail: string;
  publicBaseUrl: string;
  sesConfigurationSet: string | undefined;
  inviteRateLimitPerHour: number;
  /** Emails per second across every outbox invocation: a new SES production account allows 14. */
  emailSendRatePerSecond: number;
}

let cached: Config | undefined;

/** Read once per cold start (lazily, so modules that never touch a setting do not demand it). */
export function config(): Config {
  cached ??= {
    tableName: required(ENV.tableName),
    senderEmail: process.env[ENV.senderEmail] || 'no-reply@localhost',
    publicBaseUrl: (process.env[ENV.publicBaseUrl] || 'http://localhost:3000').replace(/\/+$/, ''),
    sesConfigurationSet: process.env[ENV.sesConfigurationSet] || undefined,
    inviteRateLimitPerHour: optionalInt(ENV.inviteRateLimitPerHour, 500),
    emailSendRatePerSecond: optionalInt(ENV.emailSendRatePerSecond, 14),
  };
  return cached;
}

export function stateMachineArn(): string {
  return required(ENV.stateMachineArn);
}
