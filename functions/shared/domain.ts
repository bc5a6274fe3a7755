/** Shapes of what the table stores (the attributes besides the keys), in the API's own vocabulary. */
import type { RoleAssignments } from './roles.ts';

export interface OrganizationItem {
  entity: 'Organization';
  id: string;
  name: string;
  status: 'open' | 'closed';
  created_at: string;
  created_by: string;
  /** Counters kept in the same transactions as the items they count, so rules can be enforced by conditions. */
  member_count: number;
  admin_count: number;
  active_resource_count: number;
  pending_bill_count: number;
  /** Domain claims (pending and verified); absent means 0. */
  domain_claim_count?: number;
  /** Bumped by every change to the organization's domain claims, so closing it releases exactly those it read. */
  domains_version?: number;
  /**
   * The SAML identity provider (`idp/`). While it is set, no domain claim can be deleted (`domains/service.ts` holds
   * `attribute_not_exists(idp)`), so it always has a verified domain to sign people in by.
   */
  idp?: IdpSettings;
  /** Bumped by every change to the IdP and the role mappings, so a write holds the set of mappings it read. */
  sso_version?: number;
}

/** An organization's SAML 2.0 identity provider, as configured by `PUT …/idp`. */
export interface IdpSettings {
  enabled: boolean;
  /** Members with an address in a verified domain must sign in through the IdP to act (`sso/enforce.ts`). */
  sso_required?: boolean;
  login_identifier_prefix: string;
  /** `<prefix>-<organization id>`: unique to the organization. */
  login_identifier: string;
  issuer: string;
  sso_url: string;
  /** PEM X.509 certificates whose keys may sign the IdP's responses (more than one while rotating). */
  certificates: string[];
  configured_at: string;
  updated_at: string;
}

/** One of an organization's SSO role mappings (`role-mappings/`): Elastic's rule and the roles it grants. */
export interface RoleMappingItem {
  entity: 'RoleMapping';
  organization_id: string;
  name: string;
  enabled: boolean;
  rule: RoleMappingRule;
  role_assignments: RoleAssignments;
  created_at: string;
  updated_at: string;
}

/** Exactly one of `group` and `email`: a pattern where `*` stands for any run of characters. */
export type RoleMappingPropertyRule = { group: string } | { email: string };
/** Exactly one of `any` and `all`, non-empty. */
export type RoleMappingRule = { any: RoleMappingPropertyRule[] } | { all: RoleMappingPropertyRule[] };

/** An organization's claim on a mail domain (`domains/`): pending until its TXT record is seen, then verified. */
/** A person as an organization's IdP knows them, linked to the user id they act as (`sso/signin.ts`). */
export interface SsoIdentityItem {
  entity: 'SsoIdentity';
  organization_id: string;
  /** base64url SHA-256 of the IdP's issuer and the NameID: the identity, never the email alone. */
  subject: string;
  user_id: string;
  /** The address the first sign-in asserted, and how the identity got its user: a new member, or an existing one. */
  email: string;
  linked: 'joined' | 'existing_member';
  created_at: string;
  last_sign_in_at: string;
}

/** A sign-in through the bridge in flight: what the OpenID Connect client asked, and the AuthnRequest sent for it. */
export interface SsoRequestItem {
  entity: 'SsoRequest';
  id: string;
  organization_id: string;
  client_id: string;
  redirect_uri: string;
  state?: string;
  nonce?: string;
  code_challenge?: string;
  created_at: string;
  ttl: number;
}

/** What the bridge's token endpoint answers for a code, decided when the assertion was accepted. */
export interface SsoCodeItem {
  entity: 'SsoCode';
  client_id: string;
  redirect_uri: string;
  nonce?: string;
  code_challenge?: string;
  claims: SsoClaims;
  expires_at: string;
  ttl: number;
}

/** The claims the bridge vouches for: the user id the API knows them by, and the organization whose IdP signed them in. */
export interface SsoClaims {
  sub: string;
  email: string;
  email_verified: true;
  name?: string;
  sso_org: string;
  groups: string[];
}

export interface DomainClaimItem {
  entity: 'DomainClaim';
  organization_id: string;
  domain: string;
  verification_code: string;
  status: 'pending' | 'verified';
  created_at: string;
  verified_at?: string;
}

/** The owner of a verified domain: at most one organization per domain (`keys.domain`). */
export interface DomainItem {
  entity: 'Domain';
  domain: string;
  organization_id: string;
  verified_at: string;
}

export interface UserItem {
  entity: 'User';
  user_id: string;
  email: string;
  name?: string;
  created_at: string;
  /** The one-organization lock: set while the user is a member of an organization. */
  organization_id?: string;
}

export interface MembershipItem {
  entity: 'Membership';
  organization_id: string;
  user_id: string;
  email: string;
  name?: string;
  member_since: string;
  role_assignments: RoleAssignments;
  is_admin: boolean;
  version: number;
  /**
   * The invitation this membership came from: its token and the version whose roles were applied. Absent for an
   * organization's creator. The invariant checker holds the roles equal to that invitation's until a role change.
   */
  joined_via?: { token: string; version: number };
  /** Set by every role change: from then on the roles are an admin's choice, no longer the invitation's. */
  roles_changed_at?: string;
  /** When this member last signed in through the organization's IdP (their roles are then the mapped ones). */
  sso_signed_in_at?: string;
  /** When SCIM last set this member's roles from the role mappings (their groups changed: `scim/`). */
  scim_synced_at?: string;
  /**
   * `sso`: joined by signing in through the organization's IdP (`sso/signin.ts`); `scim`: provisioned by it through
   * SCIM (`scim/users.ts`). Both reach us only through the IdP (`throughIdp`); absent otherwise.
   */
  joined_through?: 'sso' | 'scim';
}

/** An organization's SCIM bearer token: only its hash is kept (`scim/token.ts`). */
export interface ScimTokenItem {
  entity: 'ScimToken';
  organization_id: string;
  /** base64url SHA-256 of the whole token. */
  token_hash: string;
  created_at: string;
  created_by: string;
}

/** A user an organization's IdP provisioned through SCIM (`scim/users.ts`): active means a member. */
export interface ScimUserItem {
  entity: 'ScimUser';
  organization_id: string;
  /** Our SCIM id: derived from the organization and the userName, so a retried create finds itself. */
  id: string;
  /** As the IdP sent it (compared without case); immutable here. */
  user_name: string;
  /** The canonical address: the userName, else the primary email. */
  email: string;
  external_id?: string;
  display_name?: string;
  given_name?: string;
  family_name?: string;
  active: boolean;
  /** The user id they are a member as: a member with that address already (linked), or derived from the SCIM id. */
  user_id: string;
  linked: 'joined' | 'existing_member';
  created_at: string;
  updated_at: string;
  version: number;
}

/** A group an organization's IdP pushed through SCIM: its display name is a `group` for the role mappings. */
export interface ScimGroupItem {
  entity: 'ScimGroup';
  organization_id: string;
  id: string;
  display_name: string;
  external_id?: string;
  /** SCIM user ids. */
  members: string[];
  created_at: string;
  updated_at: string;
  version: number;
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked';
export type EmailStatus = 'queued' | 'sent' | 'failed';

export interface InvitationItem {
  entity: 'Invitation';
  organization_id: string;
  organization_name: string;
  email: string;
  token: string;
  status: InvitationStatus;
  created_at: string;
  expires_at: string;
  accepted_at?: string;
  accepted_by?: string;
  revoked_at?: string;
  invited_by: string;
  invited_by_email: string;
  /** The inviter's name claim when their token had one: emails and the addressee's list name them by it. */
  invited_by_name?: string;
  role_assignments: RoleAssignments;
  /**
   * Set to `queued` by the write that commits the invitation (invite, re-invite, the migration's re-invite); the outbox
   * (`functions/outbox/`) emails it and records `sent`, or `failed` with `email_error`. Items stored before the outbox
   * may still say `unsent`, which reads as `queued`.
   */
  email_status: EmailStatus | 'unsent';
  /** Why SES refused the latest email (with `email_status: failed`). */
  email_error?: string;
  /**
   * The version whose write queued the latest email. Other writes bump `version` too (the wait storing its token), so
   * the outbox sends and marks an email by this, not by `version`: one email per request for one.
   */
  email_version?: number;
  /** Bumped on every write; writes are conditioned on the version they read. */
  version: number;
  /** Set by the migration workflow while it waits for this invitation to be accepted. */
  task_token?: string;
  /** Set when a migration re-invites with this invitation: its email then speaks of the move. */
  migration_id?: string;
  /** The migrating user this invitation is bound to (set when their migration starts): only they may accept it. */
  reserved_for?: string;
  ttl?: number;
}

export type ResourceKindName = 'deployment' | 'project';

/** A deployment or a project: what the leave rule counts and what a migration backs up and restores. */
export interface ResourceItem {
  entity: 'Deployment' | 'Project';
  kind: ResourceKindName;
  id: string;
  organization_id: string;
  name: string;
  /** Deployments: `hosted`; projects: `elasticsearch`, `observability` or `security`. */
  type: string;
  configuration: Record<string, unknown>;
  status: 'active';
  created_at: string;
  created_by: string;
  /** Set when the resource was restored from a snapshot (the migration's idempotency key). */
  restored_from?: { repository_id: string; source_id: string; migration_id?: string };
}

export interface BillItem {
  entity: 'Bill';
  id: string;
  organization_id: string;
  amount_cents: number;
  currency: string;
  description: string;
  status: 'pending' | 'settled';
  created_at: string;
  settled_at?: string;
  settled_by?: string;
}

export interface SnapshotRepositoryItem {
  entity: 'SnapshotRepository';
  id: string;
  user_id: string;
  name: string;
  created_at: string;
}

/** Everything needed to recreate a deployment or project exactly, and a checksum to prove it. */
export interface SnapshotItem {
  entity: 'Snapshot';
  repository_id: string;
  migration_id: string;
  source_kind: ResourceKindName;
  source_id: string;
  source_organization_id: string;
  type: string;
  name: string;
  configuration: Record<string, unknown>;
  checksum: string;
  /**
   * `taken` → `verified` → `source_deleted` (the migration deleted the source, in the same transaction), or
   * `discarded` when someone deleted the source after it was backed up: a deployment deleted on purpose stays deleted.
   */
  status: 'taken' | 'verified' | 'source_deleted' | 'discarded';
  created_at: string;
}

export interface MigrationPlan {
  sole_member: boolean;
  /** True when the user is the sole member and the organization has deployments or projects to bring. */
  backup: boolean;
  resources: { kind: ResourceKindName; id: string }[];
}

export interface MigrationHistoryEntry {
  step: string;
  /** `waiting`: the acceptance wait began (its task returned; the step itself ends on acceptance). */
  status: 'succeeded' | 'failed' | 'waiting';
  started_at: string;
  finished_at: string;
  error?: string;
  /** One resource of a Map state (`<kind>:<id>`): the Map succeeded when every planned resource did. */
  item?: string;
}

export interface MigrationItem {
  entity: 'Migration';
  id: string;
  user_id: string;
  email: string;
  source_organization_id: string;
  target_organization_id: string;
  repository_id: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  current_step: string;
  /** When the current step first started (a retried task keeps the first time). */
  step_started_at?: string;
  /** Entries appended as steps end; `GET` shows every step of the workflow from them (`migrations/progress.ts`). */
  history: MigrationHistoryEntry[];
  plan?: MigrationPlan;
  /** Set by the leave step, on the condition that no cancel was asked: from then on a cancel stops, not rolls back. */
  leaving_at?: string;
  left_at?: string;
  /** Set by `_cancel` before leaving; every forward step up to the leave checks it and rolls back. */
  cancel_requested_at?: string;
  /** Set by the first restore task after the wait; a cancel after leaving is refused once it is there. */
  restoring_at?: string;
  restored?: Record<string, string>;
  error?: string;
  cause?: string;
  created_at: string;
  updated_at: string;
  finished_at?: string;
  /**
   * The wait step's task token, recorded when the wait starts, so that the outbox can end the wait when the user joins
   * another organization. Never shown by the API.
   */
  task_token?: string;
}
