import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { ApiError } from '../../shared/errors.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { DEFAULT_PAGE_SIZE, listMembers, MAX_PAGE_SIZE } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const rawSize = req.query('size');
  const size = rawSize === undefined ? DEFAULT_PAGE_SIZE : Number(rawSize);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new ApiError('root.invalid_data', `size must be a whole number from 1 to ${MAX_PAGE_SIZE}.`, [
      'size',
    ]);
  }
  const next = req.query('next');
  const include = req.query('include');
  if (include !== undefined && include !== 'invitations') {
    throw new ApiError('root.invalid_data', 'include accepts only "invitations".', ['include']);
  }
  const page = { size, includeInvitations: include === 'invitations', ...(next ? { next } : {}) };
  return json(200, await listMembers(defaultDeps(), req.caller, orgId, page));
});
