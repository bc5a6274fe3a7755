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

/** The invitation token in the newest email to an address (what the invitee would click). */
export async function tokenFromMail(api: TestApi, address: string): Promise<string> {
  const mails = await api.mailTo(address);
  const last = mails.at(-1);
  const m = last?.body.text?.match(/\/invitations\/([A-Za-z0-9_-]+)/);
  if (!m?.[1]) throw new Error(`no invitation link mailed to ${address}`);
  return m[1];
}
