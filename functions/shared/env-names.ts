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
} as const;
