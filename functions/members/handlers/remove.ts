import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { ApiError } from '../../shared/errors.ts';
import { authedRoute, ID_PATTERN, json } from '../../shared/http.ts';
import { resolveUserId } from '../../users/service.ts';
import { MAX_REMOVALS, removeMembers } from '../changes.ts';

/**
 * The reference's DELETE …/members/{user_ids}: comma-separated; removing yourself is leaving, and `me` stands for the
 * caller's own id (so leaving needs no id lookup).
 */
export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const raw = req.path('user_ids', /^[^/]{1,4000}$/);
  const ids = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((id) => resolveUserId(id, req.caller)),
    ),
  ];
  if (ids.length === 0 || ids.length > MAX_REMOVALS || !ids.every((id) => ID_PATTERN.test(id))) {
    throw new ApiError('root.invalid_data', `Give 1 to ${MAX_REMOVALS} user ids separated by commas.`, [
      'user_ids',
    ]);
  }
  await removeMembers(defaultDeps(), req.caller, orgId, ids);
  return json(200, {});
});
