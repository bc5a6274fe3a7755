/** Request bodies of the deployment and project routes (no AWS client here, so the API document can import them). */
import * as z from '../shared/schema.ts';

export const resourceRequest = z.strictObject({
  name: z.displayString(
    z.trim(),
    z.minLength(1, 'name is required'),
    z.maxLength(64, 'name is at most 64 characters'),
  ),
  type: z.optional(z.string()),
  configuration: z.optional(z.record(z.string(), z.unknown())),
});
