/** Who is signed in, their organization and their own membership (roles), as the API tells it. */
import { ApiError, enc, get } from './api.ts';
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
  member_since: string;
  role_assignments: RoleAssignments;
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

interface UsersMe {
  id?: string;
  user_id?: string;
  email: string;
  name?: string;
  organization?: Organization | null;
  organization_id?: string;
  role_assignments?: RoleAssignments;
  member_since?: string;
}

/** Reads who the caller is: `GET /users/me` where the service has it, otherwise their organization and their row. */
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
  try {
    const me = await get<UsersMe>('/users/me');
    const orgId = me.organization?.id ?? me.organization_id;
    const org = me.organization ?? (orgId ? { id: orgId, name: orgId } : undefined);
    current = {
      ...base,
      userId: me.id ?? me.user_id ?? base.userId,
      email: me.email ?? base.email,
      ...(me.name ? { name: me.name } : {}),
      ...(org
        ? {
            org,
            me: {
              organization_id: org.id,
              user_id: me.id ?? me.user_id ?? base.userId,
              email: me.email,
              ...(me.name ? { name: me.name } : {}),
              member_since: me.member_since ?? '',
              role_assignments: me.role_assignments ?? {},
            },
          }
        : {}),
    };
    if (org && org.name === org.id)
      current.org = (await get<Organization>(`/organizations/${enc(org.id)}`)) ?? org;
    return current;
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
  }
  // Without /users/me: the caller's organization, then their own row among the members.
  const { organizations } = await get<{ organizations: Organization[] }>('/organizations');
  const org = organizations[0];
  current = { ...base, ...(org ? { org } : {}) };
  if (org) {
    let next: string | undefined;
    do {
      const page = await get<{ members: Member[]; next?: string }>(
        `/organizations/${enc(org.id)}/members?size=1000${next ? `&next=${enc(next)}` : ''}`,
      );
      const mine = page.members.find((m) => m.user_id === base.userId);
      if (mine) {
        current.me = mine;
        break;
      }
      next = page.next;
    } while (next);
  }
  return current;
}

export function clearSession(): void {
  current = undefined;
}
