/** Request bodies of the snapshot repository routes (no AWS client here, so the API document can import them). */
import * as z from '../shared/schema.ts';

export const repositoryRequest = z.strictObject({
  name: z.displayString(z.trim(), z.minLength(1), z.maxLength(64)),
});
