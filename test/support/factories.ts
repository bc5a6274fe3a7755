/** Small factories for test data, built through the API the way a console would. */
import type { TestApi } from './stack.ts';

export async function orgWithAdmin(api: TestApi, label: string, name = `Org ${label}`) {
  const admin = api.email(`${label}-admin`);
  const res = await api.call('POST', '/api/v1/organizations', { as: admin, body: { name } });
  if (res.status !== 201) throw new Error(`could not create org: ${res.text}`);
  return { orgId: res.body.id as string, name, admin };
}

export const deploymentViewer = (orgId: string) => ({
  deployment: [{ role_id: 'deployment-viewer', organization_id: orgId, all: true }],
});

export async function invite(
  api: TestApi,
  org: { orgId: string; admin: string },
  emails: string[] | string,
  extra: Record<string, unknown> = {},
) {
  return api.call('POST', `/api/v1/organizations/${org.orgId}/invitations`, {
    as: org.admin,
    body: { emails, ...extra },
  });
}

/**
 * The invitation token in the newest email to an address (what the invitee would click); on a deployed stage, whose
 * mail goes through real SES, the newest invitation's token as stored.
 */
export async function tokenFromMail(api: TestApi, address: string): Promise<string> {
  return api.invitationToken(address);
}

/** Invite `label` with `roles`, accept from the mailed link; returns the member's email and user id. */
export async function addMember(
  api: TestApi,
  org: { orgId: string; admin: string },
  label: string,
  roles?: unknown,
) {
  const email = api.email(label);
  const inv = await invite(api, org, [email], roles ? { role_assignments: roles } : {});
  if (inv.status !== 201) throw new Error(`invite failed: ${inv.text}`);
  const token = await tokenFromMail(api, email);
  const acc = await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { as: email });
  if (acc.status !== 200) throw new Error(`accept failed: ${acc.text}`);
  const members = await api.call('GET', `/api/v1/organizations/${org.orgId}/members`, { as: org.admin });
  const userId = members.body.members.find((m: { email: string }) => m.email === email).user_id as string;
  return { email, userId };
}

export async function createDeployment(api: TestApi, orgId: string, as: string, name = 'search') {
  const res = await api.call('POST', `/api/v1/organizations/${orgId}/deployments`, {
    as,
    body: { name, configuration: { size: '4g' } },
  });
  if (res.status !== 201) throw new Error(`deployment failed: ${res.text}`);
  return res.body.id as string;
}

export async function raiseBill(api: TestApi, orgId: string, amount = 1200) {
  const res = await api.call('POST', `/api/v1/organizations/${orgId}/bills`, {
    token: await api.token(api.email('operator'), { operator: true }),
    body: { amount_cents: amount, description: 'November usage' },
  });
  if (res.status !== 201) throw new Error(`bill failed: ${res.text}`);
  return res.body.id as string;
}
