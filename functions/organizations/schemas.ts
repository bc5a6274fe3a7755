import { ApiError } from '../shared/errors.ts';
import * as z from '../shared/schema.ts';

/**
 * The reference's `OrganizationRequest`; we store only `name` and ignore the notification settings. A control or bidi
 * character in the name is `root.invalid_data` (it would reach email subjects); its length `organization.invalid_name`.
 */
export const organizationRequest = z.object({ name: z.optional(z.displayString(z.maxLength(1000))) });

/** Names are 2 to 30 characters after trimming (the reference's rule), else `organization.invalid_name`. */
export function organizationName(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const name = raw.trim();
  if (name.length < 2 || name.length > 30) {
    throw new ApiError('organization.invalid_name', 'Name must be between 2 and 30 characters.', ['name']);
  }
  return name;
}
