/** Environment variable names shared by `infra/` (which sets them) and `functions/` (which reads them). */
export const ENV = {
  tableName: 'TABLE_NAME',
  senderEmail: 'SENDER_EMAIL',
  publicBaseUrl: 'PUBLIC_BASE_URL',
  stateMachineArn: 'STATE_MACHINE_ARN',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  inviteRateLimitPerHour: 'INVITE_RATE_LIMIT_PER_HOUR',
  /** The OpenID Connect provider pages sign in with (the same issuer the JWT authorizer trusts). */
  oidcIssuer: 'OIDC_ISSUER',
  /** The public client (authorization code + PKCE) of the invitation page and the console. */
  oidcClientId: 'OIDC_CLIENT_ID',
  /** Optional, both or neither: endpoints when they are not the issuer's discovered ones (Cognito's hosted UI domain). */
  oidcAuthorizationEndpoint: 'OIDC_AUTHORIZATION_ENDPOINT',
  oidcTokenEndpoint: 'OIDC_TOKEN_ENDPOINT',
} as const;
