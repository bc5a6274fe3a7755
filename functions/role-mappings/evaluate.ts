/**
 * Which roles a person signing in through the organization's IdP gets: the union of the role assignments of every
 * enabled mapping whose rule matches them (Elastic's rules: `any` or `all` over `group` and `email` patterns, `*`
 * standing for any run of characters). Pure, so the SSO sign-in and the admin-reachability rule share it.
 */
import type { RoleMappingPropertyRule, RoleMappingRule } from '../shared/domain.ts';
import { mergeRoleAssignments } from '../shared/role-assignments.ts';
import type { RoleAssignments } from '../shared/roles.ts';

export interface MappingLike {
  enabled: boolean;
  rule: RoleMappingRule;
  role_assignments: RoleAssignments;
}

export interface SsoIdentity {
  email: string;
  groups: readonly string[];
}

/**
 * Whether `text` matches `pattern`, where `*` matches any run of characters (also none) and every other character only
 * itself. No regular expression is built from the pattern: the greedy two-pointer walk backs up only to the last `*`,
 * so it takes at most |pattern|·|text| steps whatever the input (no catastrophic backtracking).
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Groups compare as the IdP sends them (case-sensitive); emails compare in lower case, as the service stores them. */
export function propertyMatches(rule: RoleMappingPropertyRule, who: SsoIdentity): boolean {
  if ('group' in rule) return who.groups.some((g) => wildcardMatch(rule.group, g));
  return wildcardMatch(rule.email.toLowerCase(), who.email.toLowerCase());
}

export function ruleMatches(rule: RoleMappingRule, who: SsoIdentity): boolean {
  if ('any' in rule) return rule.any.some((r) => propertyMatches(r, who));
  return rule.all.length > 0 && rule.all.every((r) => propertyMatches(r, who));
}

/** The merged role assignments of every enabled mapping that matches; `{}` when none does. */
export function mappedRoles(mappings: readonly MappingLike[], who: SsoIdentity): RoleAssignments {
  let roles: RoleAssignments = {};
  for (const m of mappings) {
    if (m.enabled && ruleMatches(m.rule, who)) roles = mergeRoleAssignments(roles, m.role_assignments);
  }
  return roles;
}
