import { ApiError } from '../shared/errors.ts';
import type { Request } from '../shared/http.ts';
import * as z from '../shared/schema.ts';
import { ROLE_MAPPING_NAME } from './rules.ts';

/**
 * The reference's `AddRoleMappingRequest`/`UpdateOrganizationRoleMappingRequest` (`mappings`) and
 * `UpdateRoleMappingRequest` (`mapping`). Each mapping is read by `rules.ts`, which answers with the reference's codes.
 */
export const mappingsRequest = z.object({ mappings: z.array(z.unknown()) });
export const mappingRequest = z.object({ mapping: z.unknown() });

const MAX_NAMES = 40;

/** `{role_name}`: one mapping's name. */
export const roleName = (req: Request): string =>
  req.path(
    'role_name',
    ROLE_MAPPING_NAME,
    new ApiError('org.role_mapping_rule.role_mapping_not_found', 'There is no role mapping with that name.'),
  );

/** `{role_names}`: up to 40 names, comma-separated. */
export function roleNames(req: Request): string[] {
  const names = [
    ...new Set(
      req
        .path('role_names', /^[^/]{1,3000}$/)
        .split(',')
        .map((n) => n.trim()),
    ),
  ];
  const bad = names.find((n) => !ROLE_MAPPING_NAME.test(n));
  if (bad !== undefined || names.length > MAX_NAMES)
    throw new ApiError(
      'root.invalid_data',
      bad !== undefined
        ? `"${bad.slice(0, 80)}" is not a role mapping name (1-64 letters, digits, "_", "." or "-").`
        : `At most ${MAX_NAMES} names at once.`,
      ['role_names'],
    );
  return names;
}
