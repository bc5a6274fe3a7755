/** What member changes answer when they cannot go on (`changes.ts`), and how they retry a lost race. */
import { ApiError } from '../shared/errors.ts';
import { retryLostRace } from '../shared/races.ts';

const MAX_ATTEMPTS = 5;

export const lastAdmin = () =>
  new ApiError(
    'organization.last_admin',
    'An organization must keep at least one organization owner (organization-admin). Give another member that role first.',
  );

/** A lost race (a failed version condition or a concurrent transaction) reads again and decides again. */
export const retrying = <T>(attempt: () => Promise<T>): Promise<T> =>
  retryLostRace({ attempts: MAX_ATTEMPTS, exhausted: membersConflict }, attempt);

const membersConflict = () =>
  new ApiError(
    'organization.conflict',
    'The memberships kept changing while we saved this change (other administrators are editing them). Nothing was changed; try again.',
  );

export const invalidTarget = () =>
  new ApiError(
    'role_assignments.invalid_target_user_id',
    'The target user id is not a member of an organization you manage.',
  );
