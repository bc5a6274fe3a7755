/** The Members tab's calls, through the typed client, in the console's own shapes. */
import { api, ok } from '../api.ts';
import type { RoleAssignments } from '../roles.ts';
import type { Member } from '../session.ts';

export interface ListedInvitation {
  token: string;
  email: string;
  created_at: string;
  expires_at: string;
  expired: boolean;
  email_status?: string;
  email_error?: string;
  role_assignments: RoleAssignments;
}
export interface MembersPage {
  members: Member[];
  /** Every member, or with `q` every member matching it. */
  total: number;
  invitations?: ListedInvitation[];
  next?: string;
}
export type MemberSort = 'role' | 'name' | 'email';
export interface MemberQuery {
  size: number;
  sort: MemberSort;
  order: 'asc' | 'desc';
  q?: string;
  next?: string;
  include?: 'invitations';
}

/** One page of members, sorted and searched by the service (and, with `include`, the open invitations). */
export async function listMembers(orgId: string, query: MemberQuery): Promise<MembersPage> {
  const page = await ok(
    api().GET('/api/v1/organizations/{organization_id}/members', {
      params: { path: { organization_id: orgId }, query },
    }),
  );
  // The reference leaves a member's address and roles optional; this service always answers both, and the total.
  const members = page.members.map((m) => ({
    ...m,
    email: m.email ?? '',
    role_assignments: m.role_assignments ?? {},
  }));
  return { ...page, members, total: page.total ?? members.length } as MembersPage;
}

/** The open invitations alone (the email delivery column refreshes from this while an email is queued). */
export async function listInvitations(orgId: string): Promise<ListedInvitation[]> {
  const page = await ok(
    api().GET('/api/v1/organizations/{organization_id}/invitations', {
      params: { path: { organization_id: orgId } },
    }),
  );
  return page.invitations as ListedInvitation[];
}

export const removeMember = (orgId: string, userId: string) =>
  ok(
    api().DELETE('/api/v1/organizations/{organization_id}/members/{user_ids}', {
      params: { path: { organization_id: orgId, user_ids: userId } },
    }),
  );

export const revokeInvitation = (orgId: string, token: string) =>
  ok(
    api().DELETE('/api/v1/organizations/{organization_id}/invitations/{invitation_tokens}', {
      params: { path: { organization_id: orgId, invitation_tokens: token } },
    }),
  );

export const changeRoles = (method: 'POST' | 'DELETE', userId: string, body: RoleAssignments) => {
  const init = { params: { path: { user_id: userId } }, body };
  const path = '/api/v1/users/{user_id}/role_assignments';
  return ok(method === 'POST' ? api().POST(path, init) : api().DELETE(path, init));
};
