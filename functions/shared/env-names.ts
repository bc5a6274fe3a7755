/** Environment variable names shared by `infra/` (which sets them) and `functions/` (which reads them). */
export const ENV = {
  tableName: 'TABLE_NAME',
  senderEmail: 'SENDER_EMAIL',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  stateMachineArn: 'STATE_MACHINE_ARN',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  inviteRateLimitPerHour: 'INVITE_RATE_LIMIT_PER_HOUR',
  /** SES's sending rate for this account; the outbox sends at most this many emails a second in total. */
  emailSendRatePerSecond: 'EMAIL_SEND_RATE_PER_SECOND',
  /** The OpenID Connect provider pages sign in with (the same issuer the JWT authorizer trusts). */
  oidcIssuer: 'OIDC_ISSUER',
  /** Only the Lambda authorizer's (`auth/handlers/authorizer.ts`): the audiences a JWT may name, comma-separated. */
  jwtAudience: 'JWT_AUDIENCE',
  /** The public client (authorization code + PKCE) of the invitation page and the console. */
  oidcClientId: 'OIDC_CLIENT_ID',
  /** Optional, both or neither: endpoints when they are not the issuer's discovered ones (Cognito's hosted UI domain). */
  oidcAuthorizationEndpoint: 'OIDC_AUTHORIZATION_ENDPOINT',
  oidcTokenEndpoint: 'OIDC_TOKEN_ENDPOINT',
  /**
   * Optional: the DNS servers that domain verification asks for TXT records, comma-separated `host` or `host:port`
   * (`127.0.0.1:5353`, `[::1]:53`); the system's resolvers when unset.
   */
  dnsResolvers: 'DNS_RESOLVERS',
  /**
   * The SSO bridge's signing key in KMS (an RSA_2048 SIGN_VERIFY key: its id, ARN or alias): it signs the id_tokens and
   * access tokens Cognito trusts, and its public half is the bridge's JWKS.
   */
  ssoSigningKeyId: 'SSO_SIGNING_KEY_ID',
  /**
   * The SSO bridge's OpenID Connect clients, JSON: `[{client_id, client_secret_sha256, redirect_uris}]` (the local
   * OpenID Connect provider locally) or with `client_secret` instead of its hash (Cognito's federation in AWS: a
   * Secrets Manager dynamic reference CloudFormation resolves). Unset: nobody can sign in through the bridge.
   */
  ssoClients: 'SSO_CLIENTS',
} as const;
