/** Who is signed in, their organization and their own membership (roles), as the API tells it. */
import { api, ok } from './api.ts';
import { claims } from './auth.ts';
import type { RoleAssignments } from './roles.ts';

export interface Organization {
  id: string;
  name: string;
}
export interface Member {
  organization_id: string;
  user_id: string;
  name?: string;
  email: string;
  member_since?: string;
  role_assignments: RoleAssignments;
  /** How they became a member: accepted an invitation, signed in through the organization's IdP, or created it. */
  joined_through?: 'invitation' | 'sso' | 'scim' | 'created';
}
export interface Session {
  userId: string;
  email: string;
  name?: string;
  org?: Organization;
  /** The signed-in user's own row in the organization's members. */
  me?: Member;
}

let current: Session | undefined;

export const session = (): Session | undefined => current;

/** Reads who the caller is, their organization and their roles: `GET /users/me`. */
export async function refreshSession(): Promise<Session | undefined> {
  const c = claims();
  if (!c) {
    current = undefined;
    return undefined;
  }
  const base: Session = {
    userId: c.sub,
    email: (c.email ?? '').toLowerCase(),
    ...(c.name ? { name: c.name } : {}),
  };
  const me = await ok(api().GET('/api/v1/users/me'));
  const org = me.organization ? { id: me.organization.id, name: me.organization.name } : undefined;
  current = {
    ...base,
    userId: me.user_id,
    email: me.email,
    ...(me.name ? { name: me.name } : {}),
    ...(org
      ? {
          org,
          me: {
            organization_id: org.id,
            user_id: me.user_id,
            email: me.email,
            ...(me.name ? { name: me.name } : {}),
            role_assignments: (me.role_assignments ?? {}) as RoleAssignments,
          },
        }
      : {}),
  };
  return current;
}

export function clearSession(): void {
  current = undefined;
}
