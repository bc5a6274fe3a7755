/**
 * Reading a role mapping as sent (the reference's `RoleMapping`) into its stored form, refusing with the reference's
 * codes: `ambiguous_rule` (both `any` and `all`, or a property rule with both `group` and `email`), `empty_rule`
 * (neither, or nothing in them), `email_syntax_error` (an email pattern that is no address pattern), `syntax_error`
 * (anything else malformed). Role assignments go through the service's own validation, scoped to the organization.
 */
import type { RoleMappingPropertyRule, RoleMappingRule } from '../shared/domain.ts';
import { ApiError, type ErrorCode } from '../shared/errors.ts';
import { parseRoleAssignments } from '../shared/role-assignments.ts';
import type { RoleAssignments } from '../shared/roles.ts';
import { displayTextProblem } from '../shared/text.ts';

/**
 * Mappings per organization. Replacing them all deletes and puts up to twice this many items in one transaction,
 * beside the organization, the caller and a held admin: within DynamoDB's 100.
 */
export const MAX_ROLE_MAPPINGS = 40;

/** Names travel in paths (and comma-separated in DELETE …/{role_names}) and in sort keys. */
export const ROLE_MAPPING_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const MAX_PROPERTY_RULES = 20;
const MAX_PATTERN = 256;

export interface RoleMappingInput {
  name: string;
  enabled: boolean;
  rule: RoleMappingRule;
  role_assignments: RoleAssignments;
}

const refuse = (code: ErrorCode, message: string, field: string) => new ApiError(code, message, [field]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** An object with no fields but `allowed` (400 `syntax_error` otherwise, naming them). */
function onlyKeys(raw: unknown, allowed: string[], field: string): asserts raw is Record<string, unknown> {
  if (!isObject(raw))
    throw refuse('org.role_mapping_rule.syntax_error', `${field} must be an object.`, field);
  const extra = Object.keys(raw).filter((k) => !allowed.includes(k));
  if (extra.length)
    throw refuse(
      'org.role_mapping_rule.syntax_error',
      `${field} has ${extra.map((k) => `"${k}"`).join(', ')}; it takes ${allowed.map((k) => `"${k}"`).join(', ')}.`,
      field,
    );
}

export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || !ROLE_MAPPING_NAME.test(name))
    return 'must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit';
  return undefined;
}

/**
 * An email pattern: `*`, or `<local>@<domain>` where either side may hold `*` (`*@acme.com`, `j*@*.acme.com`); printable
 * ASCII without spaces. Stored in lower case: addresses are compared in lower case.
 */
function emailPattern(value: string, field: string): string {
  const lower = value.toLowerCase();
  if (lower === '*') return lower;
  const at = lower.indexOf('@');
  const ok =
    /^[\x21-\x7e]+$/.test(lower) &&
    at > 0 &&
    at === lower.lastIndexOf('@') &&
    at < lower.length - 1 &&
    lower.length <= 254;
  if (!ok)
    throw refuse(
      'org.role_mapping_rule.email_syntax_error',
      `${field} must be an address pattern such as *@acme.com or jane@acme.com (printable ASCII, one "@", "*" for any run of characters), or "*" alone.`,
      field,
    );
  return lower;
}

function propertyRule(raw: unknown, field: string): RoleMappingPropertyRule {
  onlyKeys(raw, ['group', 'email'], field);
  const has = (k: string) => raw[k] !== undefined;
  if (has('group') && has('email'))
    throw refuse(
      'org.role_mapping_rule.ambiguous_rule',
      `${field} gives both "group" and "email"; give one of them per rule (use "all" to require both).`,
      field,
    );
  if (!has('group') && !has('email'))
    throw refuse('org.role_mapping_rule.empty_rule', `${field} gives neither "group" nor "email".`, field);
  const key = has('group') ? 'group' : 'email';
  const value = raw[key];
  const at = `${field}.${key}`;
  if (typeof value !== 'string' || value.trim() === '')
    throw refuse('org.role_mapping_rule.empty_rule', `${at} must be a non-empty string.`, at);
  if (value.length > MAX_PATTERN)
    throw refuse('org.role_mapping_rule.syntax_error', `${at} is over ${MAX_PATTERN} characters.`, at);
  const problem = displayTextProblem(value);
  if (problem) throw refuse('org.role_mapping_rule.syntax_error', `${at}: ${problem}`, at);
  return key === 'group' ? { group: value } : { email: emailPattern(value, at) };
}

export function parseRule(raw: unknown, field: string): RoleMappingRule {
  onlyKeys(raw, ['any', 'all'], field);
  if (raw.any !== undefined && raw.all !== undefined)
    throw refuse(
      'org.role_mapping_rule.ambiguous_rule',
      `${field} gives both "any" and "all"; give one (split it into two mappings if you need both).`,
      field,
    );
  const kind = raw.any !== undefined ? 'any' : 'all';
  const list = raw[kind];
  if (list === undefined)
    throw refuse('org.role_mapping_rule.empty_rule', `${field} gives neither "any" nor "all".`, field);
  if (!Array.isArray(list))
    throw refuse(
      'org.role_mapping_rule.syntax_error',
      `${field}.${kind} must be a list.`,
      `${field}.${kind}`,
    );
  if (list.length === 0)
    throw refuse('org.role_mapping_rule.empty_rule', `${field}.${kind} is empty.`, `${field}.${kind}`);
  if (list.length > MAX_PROPERTY_RULES)
    throw refuse(
      'org.role_mapping_rule.syntax_error',
      `${field}.${kind} has ${list.length} rules; at most ${MAX_PROPERTY_RULES}.`,
      `${field}.${kind}`,
    );
  const rules = list.map((r, i) => propertyRule(r, `${field}.${kind}[${i}]`));
  return kind === 'any' ? { any: rules } : { all: rules };
}

/** A mapping as sent, checked and normalised, or the reference's 400 naming the field (`field` is where it is). */
export function parseRoleMapping(raw: unknown, orgId: string, field: string): RoleMappingInput {
  onlyKeys(raw, ['name', 'enabled', 'rule', 'role_assignments'], field);
  const problem = nameProblem(raw.name);
  if (problem)
    throw refuse('org.role_mapping_rule.syntax_error', `${field}.name ${problem}.`, `${field}.name`);
  if (typeof raw.enabled !== 'boolean')
    throw refuse(
      'org.role_mapping_rule.syntax_error',
      `${field}.enabled must be true or false.`,
      `${field}.enabled`,
    );
  if (raw.rule === undefined)
    throw refuse('org.role_mapping_rule.empty_rule', `${field}.rule is missing.`, `${field}.rule`);
  const rule = parseRule(raw.rule, `${field}.rule`);
  if (raw.role_assignments === undefined)
    throw refuse(
      'org.role_mapping_rule.syntax_error',
      `${field}.role_assignments is missing: say which roles the rule grants.`,
      `${field}.role_assignments`,
    );
  return {
    name: raw.name as string,
    enabled: raw.enabled,
    rule,
    role_assignments: parseRoleAssignments(raw.role_assignments, orgId),
  };
}
