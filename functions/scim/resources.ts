/** SCIM Users and Groups as JSON: the representation, what a request body says (checked), filters and PATCH. */

import { type ScimPatchOperation, scimPatch } from 'scim-patch';
import { type Filter, parse as parseFilter, filter as toPredicate } from 'scim2-parse-filter';
import type { ScimGroupItem, ScimUserItem } from '../shared/domain.ts';
import { canonicalEmail } from '../shared/email.ts';
import { listResponse, paging, SCHEMA, ScimError } from './protocol.ts';
export type Json = Record<string, unknown>;

/** The SCIM representation of a stored user. */
export function toScimUser(base: string, u: ScimUserItem, groups: readonly ScimGroupItem[]): Json {
  const name =
    u.given_name || u.family_name
      ? {
          ...(u.given_name ? { givenName: u.given_name } : {}),
          ...(u.family_name ? { familyName: u.family_name } : {}),
        }
      : undefined;
  return {
    schemas: [SCHEMA.user],
    id: u.id,
    ...(u.external_id ? { externalId: u.external_id } : {}),
    userName: u.user_name,
    ...(name ? { name } : {}),
    ...(u.display_name ? { displayName: u.display_name } : {}),
    emails: [{ value: u.email, type: 'work', primary: true }],
    active: u.active,
    groups: groups
      .filter((g) => g.members.includes(u.id))
      .map((g) => ({ value: g.id, display: g.display_name, $ref: `${base}/Groups/${g.id}` })),
    meta: {
      resourceType: 'User',
      created: u.created_at,
      lastModified: u.updated_at,
      location: `${base}/Users/${u.id}`,
      version: `W/"${u.version}"`,
    },
  };
}

/** Entra ID sends booleans as the strings "True" and "False". */
export function asBoolean(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw new ScimError(400, `${field} must be true or false.`, 'invalidValue');
}

const text = (value: unknown, field: string, max = 200): string | undefined => {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max || /[\p{Cc}]/u.test(value))
    throw new ScimError(400, `${field} must be text of at most ${max} characters.`, 'invalidValue');
  return value;
};

/** What a create, replace or patched resource says, checked. */
export interface UserInput {
  userName: string;
  email: string;
  externalId?: string;
  displayName?: string;
  givenName?: string;
  familyName?: string;
  active: boolean;
}

export function readUser(body: unknown): UserInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ScimError(400, 'The body must be a SCIM User (a JSON object).', 'invalidSyntax');
  const b = body as Json;
  const userName = text(b.userName, 'userName', 254);
  if (!userName)
    throw new ScimError(400, 'userName is required (the person’s work address).', 'invalidValue');
  const emails = Array.isArray(b.emails) ? (b.emails as Json[]) : [];
  const primary = emails.find((e) => e?.primary === true || e?.primary === 'True') ?? emails[0];
  const email =
    canonicalEmail(userName) ??
    (typeof primary?.value === 'string' ? canonicalEmail(primary.value) : undefined);
  if (!email) {
    throw new ScimError(
      400,
      `Neither userName (${userName.slice(0, 100)}) nor the primary email is an address this service accepts. Send the work address as userName.`,
      'invalidValue',
    );
  }
  const name = (typeof b.name === 'object' && b.name !== null ? b.name : {}) as Json;
  const given = text(name.givenName, 'name.givenName');
  const family = text(name.familyName, 'name.familyName');
  const externalId = text(b.externalId, 'externalId', 256);
  const displayName = text(b.displayName, 'displayName');
  return {
    userName,
    email,
    ...(externalId ? { externalId } : {}),
    ...(displayName ? { displayName } : {}),
    ...(given ? { givenName: given } : {}),
    ...(family ? { familyName: family } : {}),
    active: b.active === undefined ? true : asBoolean(b.active, 'active'),
  };
}

/** Case-insensitive attributes (RFC 7643 §4.1: userName and emails are `caseExact: false`) compared in lower case. */
function lowerCaseless(f: Filter): Filter {
  if ('filters' in f) return { ...f, filters: f.filters.map(lowerCaseless) };
  if (f.op === 'not') return { ...f, filter: lowerCaseless(f.filter) };
  if (f.op === '[]') return { ...f, valFilter: lowerCaseless(f.valFilter) };
  if ('compValue' in f && typeof f.compValue === 'string' && /(^|\.)(userName|value)$/i.test(f.attrPath))
    return { ...f, compValue: f.compValue.toLowerCase() };
  return f;
}

export function compileFilter(expression: string | undefined): ((r: Json) => boolean) | undefined {
  if (!expression) return undefined;
  try {
    return toPredicate(lowerCaseless(parseFilter(expression)));
  } catch (e) {
    throw new ScimError(
      400,
      `The filter could not be read: ${(e as Error).message.slice(0, 200)}`,
      'invalidFilter',
    );
  }
}

export const inputOf = (u: ScimUserItem): UserInput => ({
  userName: u.user_name,
  email: u.email,
  ...(u.external_id ? { externalId: u.external_id } : {}),
  ...(u.display_name ? { displayName: u.display_name } : {}),
  ...(u.given_name ? { givenName: u.given_name } : {}),
  ...(u.family_name ? { familyName: u.family_name } : {}),
  active: u.active,
});

/**
 * Names that would reach an object's prototype if a PATCH path or a value's key walked through them (`__proto__`,
 * `constructor`, `prototype`): no SCIM attribute is called so, and scim-patch follows paths into plain objects, so a
 * path like `__proto__.polluted` would change every object in the process. Refused before anything is applied.
 */
const FORBIDDEN_NAME = /(^|[^A-Za-z0-9_$])(__proto__|constructor|prototype)([^A-Za-z0-9_$]|$)/i;

function forbiddenIn(value: unknown, depth = 0): string | undefined {
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_NAME.test(key)) return key;
    const inner = forbiddenIn((value as Record<string, unknown>)[key], depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

export function applyPatch(resource: Json, operations: ScimPatchOperation[]): Json {
  for (const op of operations as { path?: unknown; value?: unknown }[]) {
    const bad =
      (typeof op.path === 'string' && FORBIDDEN_NAME.test(op.path) ? op.path : undefined) ??
      forbiddenIn(op.value);
    if (bad !== undefined) {
      throw new ScimError(
        400,
        `The PATCH names "${bad.slice(0, 100)}", which is no attribute of this resource.`,
        'invalidPath',
      );
    }
  }
  try {
    return scimPatch(structuredClone(resource) as never, operations, { mutateDocument: false }) as Json;
  } catch (e) {
    throw new ScimError(
      400,
      `The PATCH could not be applied: ${(e as Error).message.slice(0, 200)}`,
      'invalidPath',
    );
  }
}

export function patchOperations(body: unknown): ScimPatchOperation[] {
  const ops = (body as { Operations?: unknown } | null)?.Operations;
  if (!Array.isArray(ops) || ops.length === 0 || ops.length > 100)
    throw new ScimError(400, 'A PATCH needs Operations: a list of 1 to 100 operations.', 'invalidSyntax');
  return ops.map((op) => {
    if (typeof op !== 'object' || op === null || typeof (op as Json).op !== 'string')
      throw new ScimError(400, 'Each operation needs an op: add, replace or remove.', 'invalidSyntax');
    const o = op as Json;
    const name = String(o.op).toLowerCase();
    if (!['add', 'replace', 'remove'].includes(name))
      throw new ScimError(
        400,
        `Unknown PATCH op ${String(o.op).slice(0, 20)}: add, replace or remove.`,
        'invalidSyntax',
      );
    return { ...o, op: name } as ScimPatchOperation;
  });
}

const MAX_MEMBERS = 1000;

export function toScimGroup(
  base: string,
  g: ScimGroupItem,
  users: ReadonlyMap<string, ScimUserItem>,
  withMembers = true,
): Json {
  return {
    schemas: [SCHEMA.group],
    id: g.id,
    displayName: g.display_name,
    ...(g.external_id ? { externalId: g.external_id } : {}),
    ...(withMembers
      ? {
          members: g.members.map((value) => ({
            value,
            ...(users.get(value) ? { display: users.get(value)!.user_name } : {}),
            $ref: `${base}/Users/${value}`,
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: g.created_at,
      lastModified: g.updated_at,
      location: `${base}/Groups/${g.id}`,
      version: `W/"${g.version}"`,
    },
  };
}

export interface GroupInput {
  displayName: string;
  externalId?: string;
  members: string[];
}

export function readGroup(body: unknown): GroupInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ScimError(400, 'The body must be a SCIM Group (a JSON object).', 'invalidSyntax');
  const b = body as Json;
  if (typeof b.displayName !== 'string' || !b.displayName.trim() || b.displayName.length > 200)
    throw new ScimError(
      400,
      'displayName is required: the group’s name, at most 200 characters.',
      'invalidValue',
    );
  if (b.externalId !== undefined && b.externalId !== null && typeof b.externalId !== 'string')
    throw new ScimError(400, 'externalId must be text.', 'invalidValue');
  const members = Array.isArray(b.members) ? b.members : [];
  if (members.length > MAX_MEMBERS)
    throw new ScimError(400, `A group holds at most ${MAX_MEMBERS} members here.`, 'invalidValue');
  const ids = members.map((m) => (m as Json)?.value);
  if (ids.some((v) => typeof v !== 'string' || v.length > 64))
    throw new ScimError(400, 'Each member needs a value: the SCIM id of a user.', 'invalidValue');
  return {
    displayName: b.displayName,
    ...(typeof b.externalId === 'string' && b.externalId ? { externalId: b.externalId } : {}),
    members: [...new Set(ids as string[])],
  };
}

/** Oldest first, then by id: the order list pages are cut in. */
export const oldestFirst = (a: { created_at: string; id: string }, b: { created_at: string; id: string }) =>
  a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id);

/** A ListResponse: the resources matching the request's filter (tested on `comparable(r)`), at its startIndex/count. */
export function filteredList(
  all: Json[],
  query: (name: string) => string | undefined,
  comparable: (r: Json) => Json = (r) => r,
  shown: (r: Json) => Json = (r) => r,
) {
  const test = compileFilter(query('filter'));
  const { startIndex, count } = paging(query);
  const matched = test ? all.filter((r) => test(comparable(r))) : all;
  return listResponse(
    matched.slice(startIndex - 1, startIndex - 1 + count).map(shown),
    matched.length,
    startIndex,
  );
}
