/** Demo data for `npm start -- --seed`: an organization with an admin and a few deployments and a project. */
import { createOrganization, listOrganizations } from '../functions/organizations/service.ts';
import { createResource, listResources } from '../functions/resources/service.ts';
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
  if ((await listResources(deps, caller, org.id, 'deployment')).length === 0) {
    await createResource(deps, caller, org.id, 'deployment', {
      name: 'search-prod',
      configuration: { region: 'eu-west-1', size: '8g', zones: 2 },
    });
    await createResource(deps, caller, org.id, 'deployment', {
      name: 'logs-staging',
      configuration: { region: 'us-east-1', size: '4g', zones: 1 },
    });
    await createResource(deps, caller, org.id, 'project', {
      name: 'observability',
      type: 'observability',
      configuration: { retention_days: 30 },
    });
  }
  return { orgId: org.id, orgName: org.name, adminEmail };
}
