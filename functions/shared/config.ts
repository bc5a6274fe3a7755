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

/** The KMS key the SSO bridge signs its tokens with. */
export function ssoSigningKeyId(): string {
  return required(ENV.ssoSigningKeyId);
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

let oidcCached: OidcConfig | undefined;

/** What a page needs to sign someone in; read once, and only by the handlers that render such pages. */
export function oidcConfig(): OidcConfig {
  if (!oidcCached) {
    const authorizationEndpoint = process.env[ENV.oidcAuthorizationEndpoint] || undefined;
    const tokenEndpoint = process.env[ENV.oidcTokenEndpoint] || undefined;
    if (!authorizationEndpoint !== !tokenEndpoint) {
      throw new Error(`Set both ${ENV.oidcAuthorizationEndpoint} and ${ENV.oidcTokenEndpoint}, or neither`);
    }
    oidcCached = {
      issuer: required(ENV.oidcIssuer),
      clientId: required(ENV.oidcClientId),
      ...(authorizationEndpoint && tokenEndpoint ? { authorizationEndpoint, tokenEndpoint } : {}),
    };
  }
  return oidcCached;
}

let dnsCached: { servers: string[] | undefined } | undefined;

/**
 * The DNS servers domain verification asks (`DNS_RESOLVERS`: `host` or `host:port`, comma-separated), or undefined for
 * the system's resolvers (in AWS, the VPC's or Lambda's). Read once; a malformed entry fails at cold start.
 */
export function dnsResolvers(): string[] | undefined {
  if (!dnsCached) {
    const raw = process.env[ENV.dnsResolvers] ?? '';
    const servers = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const s of servers) {
      if (!/^(\[[0-9a-fA-F:.]+\]|[0-9.]+|[0-9a-fA-F:]+)(:\d{1,5})?$/.test(s))
        throw new Error(`${ENV.dnsResolvers} must list IP addresses (with an optional :port), got "${s}"`);
    }
    dnsCached = { servers: servers.length ? servers : undefined };
  }
  return dnsCached.servers;
}
