/** SSO sign-in for the integration tests: the browser-like walk of local/sso-walk.ts, its token checked by vitest. */
import { expect } from 'vitest';
import { type AcsPost, type SsoResult, ssoWalk } from '../../local/sso-walk.ts';
import { claimDomain } from './domains.ts';
import { idpKeys } from './saml.ts';
import type { TestApi } from './stack.ts';

export { type AcsPost, postToAcs, type SsoHop, type SsoResult } from '../../local/sso-walk.ts';

/**
 * Signs `email` in through the organization's IdP (the local SAML IdP must know the user: `api.stack.samlIdp.users`).
 * `tamper` may change the SAML Response on its way to the ACS (a test of what the ACS refuses).
 */
export const ssoSignIn = (
  api: TestApi,
  email: string,
  opts: { loginHint?: string; tamper?: (samlResponse: string) => string; keep?: (acs: AcsPost) => void } = {},
): Promise<SsoResult> =>
  ssoWalk(api.stack, email, {
    ...opts,
    checkToken: (status, body) => expect(status, JSON.stringify(body)).toBe(200),
  });

export const tokenOf = (r: SsoResult): string => {
  if (!('token' in r))
    throw new Error(`SSO sign-in ended on a page: ${r.page.status} ${r.page.text.slice(0, 400)}`);
  return r.token;
};

/** An organization with a verified domain and the local SAML IdP configured (enabled), ready for SSO sign-ins. */
export async function ssoOrganization(
  api: TestApi,
  org: { orgId: string; admin: string },
  domain: string,
  extra: { sso_required?: boolean; certificate?: string } = {},
) {
  await claimDomain(api, org, domain);
  const idp = api.stack.samlIdp;
  const res = await api.call('PUT', `/api/v1/organizations/${org.orgId}/idp`, {
    as: org.admin,
    body: {
      enabled: true,
      ...(extra.sso_required !== undefined ? { sso_required: extra.sso_required } : {}),
      login_identifier_prefix: 'acme',
      saml_idp: {
        issuer: idp.issuer,
        sso_url: idp.ssoUrl,
        public_certificate: [extra.certificate ?? idp.certificatePem],
      },
    },
  });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

export { idpKeys };
