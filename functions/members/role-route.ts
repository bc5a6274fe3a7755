import { defaultDeps } from '../shared/deps.ts';
import { ApiError } from '../shared/errors.ts';
import { authedRoute, json } from '../shared/http.ts';
import * as z from '../shared/schema.ts';
import { resolveUserId } from '../users/service.ts';
import { changeRoles } from './changes.ts';

/**
 * POST adds and DELETE removes `RoleAssignments` of `/users/{user_id}` (the reference's role_assignments routes);
 * `me` is the caller.
 */
export const roleChangeHandler = (mode: 'add' | 'remove') =>
  authedRoute(async (req) => {
    const userId = req.path(
      'user_id',
      undefined,
      new ApiError('role_assignments.invalid_target_user_id', 'The target user id is not valid.', [
        'user_id',
      ]),
    );
    // Shape is checked against the member's organization inside the service (role_assignments.invalid_config).
    const body = req.body(z.record(z.string(), z.unknown()));
    await changeRoles(defaultDeps(), req.caller, resolveUserId(userId, req.caller), body, mode);
    return json(200, {});
  });
