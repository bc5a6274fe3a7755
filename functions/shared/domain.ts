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
}

export type InvitationStatus = 'pending' | 'accepted' | 'revoked';

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
  role_assignments: RoleAssignments;
  /** `unsent` until SES accepted the latest email; listing shows it so an admin can re-invite. */
  email_status: 'unsent' | 'sent';
  /** Bumped on every write; writes are conditioned on the version they read. */
  version: number;
  /** Set by the migration workflow while it waits for this invitation to be accepted. */
  task_token?: string;
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
