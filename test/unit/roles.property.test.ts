/**
 * Properties of role merging, subtracting and the permissions they grant, over random role assignments (fast-check).
 * Role changes (POST/DELETE role_assignments) and the mover's scoped roles are built from these functions, so a law
 * broken here is a wrong permission somewhere in the API.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canCreate,
  canDelete,
  canManageBilling,
  canRead,
  type ResourceKind,
} from '../../functions/shared/permissions.ts';
import {
  mergeRoleAssignments,
  parseRoleAssignments,
  sameRoles,
  subtractRoleAssignments,
} from '../../functions/shared/role-assignments.ts';
import {
  DEPLOYMENT_ROLES,
  ORGANIZATION_ROLES,
  PROJECT_ROLES,
  PROJECT_TYPES,
  type RoleAssignments,
} from '../../functions/shared/roles.ts';

const ORG = 'o1';
const ids = fc.uniqueArray(fc.constantFrom('d1', 'd2', 'd3', 'p1', 'p2'), { minLength: 1, maxLength: 3 });
const scoped = (roles: readonly string[], field: 'deployment_ids' | 'project_ids') =>
  fc.oneof(
    fc.record({
      role_id: fc.constantFrom(...roles),
      organization_id: fc.constant(ORG),
      all: fc.constant(true),
    }),
    fc.record({ role_id: fc.constantFrom(...roles), organization_id: fc.constant(ORG), [field]: ids }),
  );
/** Valid role assignments as a client would send them (lists in any order, duplicates allowed), then parsed. */
const roles: fc.Arbitrary<RoleAssignments> = fc
  .record(
    {
      organization: fc.array(
        fc.record({ role_id: fc.constantFrom(...ORGANIZATION_ROLES), organization_id: fc.constant(ORG) }),
        { maxLength: 2 },
      ),
      deployment: fc.array(scoped(DEPLOYMENT_ROLES, 'deployment_ids'), { maxLength: 3 }),
      project: fc.record(
        Object.fromEntries(
          PROJECT_TYPES.map((t) => [t, fc.array(scoped(PROJECT_ROLES[t], 'project_ids'), { maxLength: 2 })]),
        ),
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  )
  .map((raw) => parseRoleAssignments(raw, ORG));

const resource = fc.record({
  kind: fc.constantFrom<ResourceKind>('deployment', 'project'),
  id: fc.constantFrom('d1', 'd2', 'd3', 'p1', 'p2', 'p9'),
  type: fc.constantFrom(...PROJECT_TYPES),
});
type Res = { kind: ResourceKind; id: string; type: (typeof PROJECT_TYPES)[number] };
const read = (ra: RoleAssignments, r: Res) =>
  canRead(ra, r.kind, r.id, r.kind === 'project' ? r.type : undefined);
const del = (ra: RoleAssignments, r: Res) =>
  canDelete(ra, r.kind, r.id, r.kind === 'project' ? r.type : undefined);
const create = (ra: RoleAssignments, r: Res) =>
  canCreate(ra, r.kind, r.kind === 'project' ? r.type : undefined);

const runs = { numRuns: 300 };

describe('role assignments (properties)', () => {
  it('parsing is idempotent, and sameRoles ignores order', () => {
    fc.assert(
      fc.property(roles, (a) => {
        expect(parseRoleAssignments(a, ORG)).toEqual(a);
        const shuffled: RoleAssignments = JSON.parse(JSON.stringify(a));
        shuffled.organization?.reverse();
        shuffled.deployment?.reverse();
        for (const d of shuffled.deployment ?? []) d.deployment_ids?.reverse();
        expect(sameRoles(a, shuffled)).toBe(true);
      }),
      runs,
    );
  });

  it('merging is idempotent and commutative', () => {
    fc.assert(
      fc.property(roles, roles, (a, b) => {
        const ab = mergeRoleAssignments(a, b);
        expect(sameRoles(mergeRoleAssignments(ab, b), ab)).toBe(true);
        expect(sameRoles(ab, mergeRoleAssignments(b, a))).toBe(true);
        expect(sameRoles(mergeRoleAssignments(a, {}), a)).toBe(true);
      }),
      runs,
    );
  });

  it('a merge grants exactly what either side grants', () => {
    fc.assert(
      fc.property(roles, roles, resource, (a, b, r) => {
        const ab = mergeRoleAssignments(a, b);
        expect(read(ab, r)).toBe(read(a, r) || read(b, r));
        expect(del(ab, r)).toBe(del(a, r) || del(b, r));
        expect(create(ab, r)).toBe(create(a, r) || create(b, r));
        expect(canManageBilling(ab)).toBe(canManageBilling(a) || canManageBilling(b));
      }),
      runs,
    );
  });

  it('subtracting never grants anything new, and subtracting everything leaves nothing', () => {
    fc.assert(
      fc.property(roles, roles, resource, (a, b, r) => {
        const left = subtractRoleAssignments(a, b);
        if (read(left, r)) expect(read(a, r)).toBe(true);
        if (del(left, r)) expect(del(a, r)).toBe(true);
        if (create(left, r)) expect(create(a, r)).toBe(true);
        expect(sameRoles(subtractRoleAssignments(a, a), {})).toBe(true);
      }),
      runs,
    );
  });

  it('removing a role that was just added takes away what it alone granted', () => {
    fc.assert(
      fc.property(roles, roles, resource, (a, b, r) => {
        // Only when b shares no role id with a: otherwise removing b also removes a's own grants of those roles.
        const roleIds = (ra: RoleAssignments) =>
          new Set([
            ...(ra.organization ?? []).map((x) => x.role_id),
            ...(ra.deployment ?? []).map((x) => x.role_id),
            ...Object.values(ra.project ?? {}).flatMap((l) => (l ?? []).map((x) => x.role_id)),
          ]);
        const shared = [...roleIds(b)].some((id) => roleIds(a).has(id));
        fc.pre(!shared);
        const back = subtractRoleAssignments(mergeRoleAssignments(a, b), b);
        expect(sameRoles(back, a)).toBe(true);
        expect(read(back, r)).toBe(read(a, r));
      }),
      runs,
    );
  });
});
