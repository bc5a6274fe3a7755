/**
 * Every failure a caller can cause or meet, mapped once to an HTTP status and an Elastic-style error code.
 * Handlers throw `ApiError`s; `http.ts` turns them into `{"errors":[{code,message,fields}]}`.
 */
export const ERROR_STATUS = {
  'root.unauthorized': 401,
  'root.invalid_authentication': 403,
  'root.invalid_data': 400,
  'root.invalid_json': 400,
  'root.payload_too_large': 413,
  'root.not_found': 404,
  'root.method_not_allowed': 405,
  'root.unsupported_media_type': 415,
  'root.throttled': 429,
  'root.service_unavailable': 503,
  'root.internal_error': 500,
  /** Ours: the Idempotency-Key was sent before with another request (method, path or body). */
  'root.idempotency_key_reused': 422,
  /** Ours: the first request with this Idempotency-Key is still running. */
  'root.idempotency_key_in_progress': 409,
  'user.not_found': 404,
  'organization.not_found': 404,
  'organization.invalid_access': 403,
  'organization.invalid_name': 400,
  'organization.user_organization_already_belongs': 400,
  'organization.user_organization_does_not_belong': 404,
  'organization.invitation_not_found': 404,
  'organization.invitation_invalid_email': 400,
  'organization.invitation_expired': 400,
  'organization.invitation_already_accepted': 400,
  'organization.invitation_revoked': 400,
  'organization.invitation_email_not_verified': 403,
  'organization.invitation_reserved': 403,
  'organization.invitation_email_failed': 502,
  'organization.invitations_rate_limit_exceeded': 429,
  'organization.membership_not_found': 404,
  'organization.conflict': 409,
  'organization.last_admin': 400,
  'organization.has_active_deployments': 400,
  'organization.has_pending_bills': 400,
  'organization.deployment_not_found': 404,
  'organization.project_not_found': 404,
  'organization.bill_not_found': 404,
  'organization.bill_already_settled': 400,
  'migration.invitation_required': 400,
  'migration.invalid_target': 400,
  'migration.not_member': 400,
  'migration.already_active': 409,
  'migration.invitation_reserved': 409,
  'migration.not_found': 404,
  'migration.restore_not_possible': 400,
  'migration.cancel_not_possible': 400,
  'migration.busy': 409,
  'snapshot_repository.not_found': 404,
  'role_assignments.invalid_config': 400,
  'role_assignments.invalid_target_user_id': 400,
  'role_assignments.unauthorized_role_assignments': 403,
  'org.domain_claim.already_exists': 400,
  'org.domain_claim.concurrent_organization_modification': 409,
  /** The reference's 449 "retry later" names no code; this one says the TXT record is not visible yet. */
  'org.domain_claim.verification_pending': 449,
  'org.domain_claim.limit_reached': 400,
  'org.idp.idp_configured': 400,
  'org.idp.idp_not_configured': 404,
  /** Ours: an identity provider signs people in by the organization's verified domains, so it needs one. */
  'org.idp.no_verified_domain': 400,
  /** Ours: the organization requires a sign-in through its IdP for this address. */
  'org.idp.sso_required': 403,
  'org.role_mapping_rule.ambiguous_rule': 400,
  'org.role_mapping_rule.empty_rule': 400,
  'org.role_mapping_rule.syntax_error': 400,
  'org.role_mapping_rule.email_syntax_error': 400,
  'org.role_mapping_rule.too_many_role_mappings': 400,
  'org.role_mapping_rule.role_mapping_not_found': 404,
  /** Ours: adding a mapping under a name the organization already uses. */
  'org.role_mapping_rule.already_exists': 400,
  /** Ours: the change would leave no organization-admin reachable (no mapping grants it, no non-SSO admin). */
  'org.role_mapping_rule.admin_unreachable': 400,
  'api_keys.invalid_input': 400,
  'api_keys.key_not_found': 404,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: string[],
    /** Extra response headers, e.g. Retry-After on 429/503. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = ERROR_STATUS[code];
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/**
 * The same refusal with a sentence added (what a request written in parts left standing before it was refused);
 * anything but an `ApiError` (an AWS error the edge maps to 429/503) passes unchanged.
 */
export const withNote = (e: unknown, note: string): unknown =>
  isApiError(e) ? new ApiError(e.code, `${e.message} ${note}`, e.fields, e.headers) : e;
