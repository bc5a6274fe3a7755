/** Demo data for `npm start -- --seed`: an organization with an admin, so a newcomer can try things at once. */
import { createOrganization, listOrganizations } from '../functions/organizations/service.ts';
import { defaultDeps } from '../functions/shared/deps.ts';
import { localUserId } from './jwt.ts';

export async function seed() {
  const deps = defaultDeps();
  const adminEmail = 'alice@example.com';
  const caller = {
    userId: localUserId(adminEmail),
    email: adminEmail,
    emailVerified: true,
    name: 'Alice Admin',
  };
  const existing = await listOrganizations(deps, caller);
  const org = existing[0] ?? (await createOrganization(deps, caller, 'Acme'));
  return { orgId: org.id, orgName: org.name, adminEmail };
}
