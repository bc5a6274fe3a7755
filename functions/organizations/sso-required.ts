/**
 * "SSO required": an organization may require that members whose address is in one of its verified domains act on it
 * only after a sign-in through its IdP (a token with its `sso_org`). Members outside those domains (break-glass owners,
 * contractors) keep signing in as before, and so does everyone while the IdP is disabled.
 */
import { getItem } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { DomainItem, OrganizationItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { keys } from '../shared/table.ts';

/** Refuses (403 `org.idp.sso_required`) a caller who must come through the organization's IdP and did not. */
export async function holdSsoRequirement(deps: Deps, org: OrganizationItem, caller: Caller): Promise<void> {
  if (!org.idp?.enabled || !org.idp.sso_required || caller.ssoOrg === org.id) return;
  // The caller's address is canonical (ASCII, lower case: `shared/email.ts`), so its domain is as claims store it.
  const domain = caller.email.slice(caller.email.lastIndexOf('@') + 1);
  const owner = await getItem<DomainItem>(deps.db, deps.table, keys.domain(domain));
  if (owner?.organization_id !== org.id) return;
  throw new ApiError(
    'org.idp.sso_required',
    `${org.name} requires single sign-on for addresses at ${domain}: sign in with SSO (your company's identity provider) and try again. Members with addresses outside the organization's verified domains can still sign in with a password.`,
  );
}
