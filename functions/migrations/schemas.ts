/** Request bodies of the migration routes (no AWS client here, so the API document can import them). */
import { ID_PATTERN } from '../shared/http.ts';
import * as z from '../shared/schema.ts';

export const migrationRequest = z.strictObject({
  target_organization_id: z.string().check(z.regex(ID_PATTERN, 'must be an organization id')),
  repository_id: z.string().check(z.regex(ID_PATTERN, 'must be a repository id')),
});
