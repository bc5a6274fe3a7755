/**
 * Role mappings as pure functions: the `*` matcher (against a reference regex over safe alphabets, and in linear-ish
 * time on hostile input), rules over groups and emails, the merge of every matching mapping, the rule language's
 * refusals with the reference's codes, and the admin-reachability rule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type MappingLike,
  mappedRoles,
  ruleMatches,
  wildcardMatch,
} from '../../functions/role-mappings/evaluate.ts';
import { adminWitness } from '../../functions/role-mappings/reachability.ts';
import { parseRoleMapping } from '../../functions/role-mappings/rules.ts';
import type { RoleMappingRule } from '../../functions/shared/domain.ts';
import type { ApiError } from '../../functions/shared/errors.ts';
import { mergeRoleAssignments, sameRoles } from '../../functions/shared/role-assignments.ts';
import type { RoleAssignments } from '../../functions/shared/roles.ts';

const ORG = 'o1';
const admin: RoleAssignments = { organization: [{ role_id: 'organization-admin', organization_id: ORG }] };
const editor: RoleAssignments = {
  deployment: [{ role_id: 'deployment-editor', organization_id: ORG, all: true }],
};
const viewer: RoleAssignments = {
  deployment: [{ role_id: 'deployment-viewer', organization_id: ORG, deployment_ids: ['d1'] }],
};

/** The meaning of `*` as a regex (the test's own oracle; the service builds none), every other character escaped. */
const reference = (pattern: string, text: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.-]/g, '\\$&'))
      .join('.*')}$`,
    's',
  ).test(text);

const refusal = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a refusal');
};

describe('wildcardMatch', () => {
  it('agrees with the regex meaning of * on random patterns and texts', () => {
    const ch = fc.constantFrom('a', 'b', '@', '.', '-');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(ch, fc.constant('*')), { maxLength: 8 }).map((a) => a.join('')),
        fc.array(ch, { maxLength: 10 }).map((a) => a.join('')),
        (pattern, text) => {
          expect(wildcardMatch(pattern, text)).toBe(reference(pattern, text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a pattern without * matches only itself; * alone matches everything', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const p = a.replaceAll('*', '');
        expect(wildcardMatch(p, b)).toBe(p === b);
        expect(wildcardMatch('*', b)).toBe(true);
        expect(wildcardMatch(`*${p}`, `${b}${p}`)).toBe(true);
      }),
    );
  });

  it('regex metacharacters in a pattern are literal', () => {
    expect(wildcardMatch('a.c', 'abc')).toBe(false);
    expect(wildcardMatch('(a|b)+', '(a|b)+')).toBe(true);
    expect(wildcardMatch('[a-z]*', 'x')).toBe(false);
  });

  it('takes polynomial time on the classic catastrophic-backtracking input', () => {
    const pattern = `${'*a'.repeat(100)}*b`;
    const text = 'a'.repeat(5000);
    const started = performance.now();
    expect(wildcardMatch(pattern, text)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('rules and mappedRoles', () => {
  const who = { email: 'Dev@Acme.test', groups: ['engineers', 'Ops'] };

  it('group rules are case-sensitive and match any of the groups; email rules ignore case', () => {
    expect(ruleMatches({ any: [{ group: 'engineers' }] }, who)).toBe(true);
    expect(ruleMatches({ any: [{ group: 'ops' }] }, who)).toBe(false);
    expect(ruleMatches({ any: [{ group: 'O*' }] }, who)).toBe(true);
    expect(ruleMatches({ any: [{ email: '*@acme.test' }] }, who)).toBe(true);
    expect(ruleMatches({ any: [{ email: 'dev@*' }] }, who)).toBe(true);
    expect(ruleMatches({ any: [{ email: '*@other.test' }] }, who)).toBe(false);
  });

  it('any needs one, all needs every rule', () => {
    const yes = { group: 'engineers' };
    const no = { group: 'sales' };
    expect(ruleMatches({ any: [no, yes] }, who)).toBe(true);
    expect(ruleMatches({ all: [no, yes] }, who)).toBe(false);
    expect(ruleMatches({ all: [yes, { email: '*@acme.test' }] }, who)).toBe(true);
  });

  it('merges the roles of every enabled matching mapping, and only those', () => {
    const mappings: MappingLike[] = [
      { enabled: true, rule: { any: [{ group: 'engineers' }] }, role_assignments: editor },
      { enabled: true, rule: { any: [{ email: '*@acme.test' }] }, role_assignments: viewer },
      { enabled: false, rule: { any: [{ group: '*' }] }, role_assignments: admin },
      { enabled: true, rule: { any: [{ group: 'sales' }] }, role_assignments: admin },
    ];
    expect(sameRoles(mappedRoles(mappings, who), mergeRoleAssignments(editor, viewer))).toBe(true);
    expect(mappedRoles(mappings, { email: 'x@y.test', groups: [] })).toEqual({});
  });

  it('is the union over matching mappings: order does not matter, and a superset of groups gets at least as much', () => {
    const group = fc.constantFrom('a', 'b', 'c');
    const roles = fc.constantFrom(admin, editor, viewer);
    const mapping = fc.record({
      enabled: fc.boolean(),
      rule: fc.oneof(
        fc
          .array(
            group.map((g) => ({ group: g })),
            { minLength: 1, maxLength: 3 },
          )
          .map((any) => ({ any })),
        fc
          .array(
            group.map((g) => ({ group: g })),
            { minLength: 1, maxLength: 3 },
          )
          .map((all) => ({ all })),
      ),
      role_assignments: roles,
    });
    fc.assert(
      fc.property(fc.array(mapping, { maxLength: 6 }), fc.uniqueArray(group), group, (ms, groups, extra) => {
        const base = mappedRoles(ms, { email: 'p@x.test', groups });
        expect(sameRoles(mappedRoles([...ms].reverse(), { email: 'p@x.test', groups }), base)).toBe(true);
        const more = mappedRoles(ms, { email: 'p@x.test', groups: [...groups, extra] });
        expect(sameRoles(mergeRoleAssignments(more, base), more)).toBe(true);
      }),
    );
  });
});

describe('parseRoleMapping', () => {
  const valid = {
    name: 'engineers',
    enabled: true,
    rule: { any: [{ group: 'engineers' }, { email: '*@ACME.test' }] },
    role_assignments: editor,
  };

  it('normalises email patterns to lower case and validates the roles for the organization', () => {
    expect(parseRoleMapping(valid, ORG, 'mapping')).toEqual({
      ...valid,
      rule: { any: [{ group: 'engineers' }, { email: '*@acme.test' }] },
    });
    const other = refusal(() =>
      parseRoleMapping(
        {
          ...valid,
          role_assignments: { organization: [{ role_id: 'organization-admin', organization_id: 'o2' }] },
        },
        ORG,
        'mapping',
      ),
    );
    expect(other.code).toBe('role_assignments.invalid_config');
  });

  it.each([
    ['ambiguous_rule', { any: [{ group: 'a' }], all: [{ group: 'b' }] }, 'mapping.rule'],
    ['ambiguous_rule', { any: [{ group: 'a', email: '*@x.test' }] }, 'mapping.rule.any[0]'],
    ['empty_rule', {}, 'mapping.rule'],
    ['empty_rule', { all: [] }, 'mapping.rule.all'],
    ['empty_rule', { any: [{}] }, 'mapping.rule.any[0]'],
    ['empty_rule', { any: [{ group: ' ' }] }, 'mapping.rule.any[0].group'],
    ['email_syntax_error', { any: [{ email: 'nobody' }] }, 'mapping.rule.any[0].email'],
    ['email_syntax_error', { any: [{ email: 'a@b@c' }] }, 'mapping.rule.any[0].email'],
    ['syntax_error', { any: [{ group: 'a' }], some: [] }, 'mapping.rule'],
    ['syntax_error', { any: [{ group: 'a\u202eb' }] }, 'mapping.rule.any[0].group'],
    ['syntax_error', { any: 'engineers' }, 'mapping.rule.any'],
  ])('%s: %j', (code, rule, field) => {
    const e = refusal(() => parseRoleMapping({ ...valid, rule }, ORG, 'mapping'));
    expect(e.code).toBe(`org.role_mapping_rule.${code}`);
    expect(e.fields).toEqual([field]);
  });

  it('refuses names that cannot travel in a path or a comma-separated list', () => {
    for (const name of ['', 'a,b', 'a/b', ' x', 'x'.repeat(65), '-x']) {
      expect(refusal(() => parseRoleMapping({ ...valid, name }, ORG, 'm')).code).toBe(
        'org.role_mapping_rule.syntax_error',
      );
    }
  });
});

describe('adminWitness (the admin-reachability rule)', () => {
  const nonSso = { user_id: 'u1', role_assignments: admin };
  const sso = { user_id: 'u2', role_assignments: admin, joined_through: 'sso' as const };
  const grants = {
    name: 'owners',
    enabled: true,
    rule: { any: [{ group: 'owners' }] },
    role_assignments: admin,
  };

  it('a non-SSO admin is enough, whatever the mappings; the preferred one first', () => {
    expect(adminWitness({ ssoOn: true, mappings: [], members: [sso, nonSso] })).toEqual({ member: 'u1' });
    expect(
      adminWitness({ ssoOn: false, mappings: [], members: [nonSso, { ...nonSso, user_id: 'u3' }] }, 'u3'),
    ).toEqual({ member: 'u3' });
  });

  it('with only SSO admins, an enabled mapping granting organization-admin is needed, and SSO on', () => {
    expect(adminWitness({ ssoOn: true, mappings: [grants], members: [sso] })).toEqual({ mapping: 'owners' });
    expect(adminWitness({ ssoOn: false, mappings: [grants], members: [sso] })).toBeUndefined();
    expect(
      adminWitness({ ssoOn: true, mappings: [{ ...grants, enabled: false }], members: [sso] }),
    ).toBeUndefined();
    expect(
      adminWitness({ ssoOn: true, mappings: [{ ...grants, role_assignments: editor }], members: [sso] }),
    ).toBeUndefined();
  });

  it('property: there is a witness exactly when a non-SSO admin exists or (SSO on and an enabled mapping grants it)', () => {
    const member = fc.record({
      user_id: fc.constantFrom('a', 'b', 'c'),
      role_assignments: fc.constantFrom(admin, editor),
      joined_through: fc.constantFrom(undefined, 'sso' as const),
    });
    const mapping = fc.record({
      name: fc.constantFrom('m1', 'm2'),
      enabled: fc.boolean(),
      rule: fc.constant<RoleMappingRule>({ any: [{ group: 'g' }] }),
      role_assignments: fc.constantFrom(admin, editor),
    });
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(mapping, { maxLength: 3 }),
        fc.array(member, { maxLength: 4 }),
        (ssoOn, mappings, members) => {
          const expected =
            members.some((m) => m.joined_through !== 'sso' && m.role_assignments === admin) ||
            (ssoOn && mappings.some((m) => m.enabled && m.role_assignments === admin));
          expect(adminWitness({ ssoOn, mappings, members }) !== undefined).toBe(expected);
        },
      ),
    );
  });
});
