/**
 * An organization's SAML 2.0 identity provider (Elastic's `…/idp` routes), organization-admins only. It lives on the
 * organization item (`idp`), which the domains slice reads: while it is set no claim can be deleted. Setting it needs
 * a verified domain, held by a condition on that claim in the same transaction (never by the read alone), and keeps an
 * organization-admin reachable (`role-mappings/guard.ts`).
 */
import { callerUnchanged, retryAuthorised } from '../organizations/membership.ts';
import { requireOrgAdmin } from '../organizations/service.ts';
import { holdAdminReachable, loadRoleMappings, ssoOrganizationUpdate } from '../role-mappings/guard.ts';
import { queryAll, transact } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { DomainClaimItem, IdpSettings, OrganizationItem } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { keys, queries } from '../shared/table.ts';
import { parseCertificates } from './certificates.ts';
import { serviceProvider, spMetadataXml, ssoLoginUrl } from './metadata.ts';
import type { IdpConfigurationRequest } from './schemas.ts';

/** The reference's `OrganizationIdp`. */
export interface OrganizationIdp {
  login_identifier: string;
  sso_login_url: string;
  metadata_url: string;
  acs: string;
  sp_entity_id: string;
  /** We sign no requests and take no encrypted assertions (yet): both empty. */
  signing_certificate: string[];
  encryption_certificate: string[];
  configuration: IdpConfigurationRequest;
}

export const idpNotConfigured = () =>
  new ApiError(
    'org.idp.idp_not_configured',
    'This organization has no identity provider configured. Set one up with PUT …/idp.',
  );

const noVerifiedDomain = () =>
  new ApiError(
    'org.idp.no_verified_domain',
    'An identity provider signs people in by the domains this organization has verified, and it has none yet. Claim and verify your mail domain first (POST …/domains/_generate_verification_code, then …/domains/_verify).',
  );

function toOrganizationIdp(deps: Deps, orgId: string, idp: IdpSettings): OrganizationIdp {
  const sp = serviceProvider(deps.publicBaseUrl, orgId);
  return {
    login_identifier: idp.login_identifier,
    sso_login_url: ssoLoginUrl(deps.publicBaseUrl, idp.login_identifier),
    metadata_url: sp.metadataUrl,
    acs: sp.acs,
    sp_entity_id: sp.entityId,
    signing_certificate: [],
    encryption_certificate: [],
    configuration: {
      enabled: idp.enabled,
      sso_required: idp.sso_required === true,
      login_identifier_prefix: idp.login_identifier_prefix,
      saml_idp: { issuer: idp.issuer, sso_url: idp.sso_url, public_certificate: idp.certificates },
    },
  };
}

const configured = (org: OrganizationItem): IdpSettings => {
  if (!org.idp) throw idpNotConfigured();
  return org.idp;
};

export async function getIdp(deps: Deps, caller: Caller, orgId: string): Promise<OrganizationIdp> {
  const { org } = await requireOrgAdmin(deps, orgId, caller);
  return toOrganizationIdp(deps, orgId, configured(org));
}

/** Our SP metadata for this organization's IdP (404 until one is configured, as the reference says). */
export async function idpMetadata(deps: Deps, caller: Caller, orgId: string): Promise<string> {
  const { org } = await requireOrgAdmin(deps, orgId, caller);
  configured(org);
  return spMetadataXml(serviceProvider(deps.publicBaseUrl, orgId));
}

/** PUT: set up or replace the IdP. Certificates are checked before anything is read. */
export async function putIdp(
  deps: Deps,
  caller: Caller,
  orgId: string,
  request: IdpConfigurationRequest,
): Promise<OrganizationIdp> {
  const certificates = parseCertificates(
    request.saml_idp.public_certificate,
    deps.now(),
    'saml_idp.public_certificate',
  ).map((c) => c.pem);
  return retryAuthorised(async () => {
    const { org, membership } = await requireOrgAdmin(deps, orgId, caller);
    const claims = await queryAll<DomainClaimItem>(deps.db, deps.table, queries.domainClaims(orgId));
    const domain = claims.find((c) => c.status === 'verified')?.domain;
    if (!domain) throw noVerifiedDomain();
    const now = deps.now().toISOString();
    const idp: IdpSettings = {
      enabled: request.enabled,
      ...(request.sso_required ? { sso_required: true } : {}),
      login_identifier_prefix: request.login_identifier_prefix,
      login_identifier: `${request.login_identifier_prefix}-${orgId}`,
      issuer: request.saml_idp.issuer,
      sso_url: request.saml_idp.sso_url,
      certificates,
      configured_at: org.idp?.configured_at ?? now,
      updated_at: now,
    };
    const held = await holdAdminReachable(deps, org, membership, {
      ssoOn: idp.enabled,
      mappings: await loadRoleMappings(deps, orgId),
    });
    await transact(deps.db, {
      organization: ssoOrganizationUpdate(deps, org, { set: idp }),
      // The IdP needs a verified domain when it commits: a claim deleted meanwhile fails this (and the retry says so).
      domain: {
        ConditionCheck: {
          TableName: deps.table,
          Key: keys.domainClaim(orgId, domain),
          ConditionExpression: '#status = :verified',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':verified': 'verified' },
        },
      },
      ...held,
      ...callerUnchanged(deps, membership),
    });
    return toOrganizationIdp(deps, orgId, idp);
  });
}

/** DELETE: remove the IdP (404 when there is none); SSO is off afterwards, so only non-SSO admins keep it reachable. */
export async function deleteIdp(deps: Deps, caller: Caller, orgId: string): Promise<void> {
  await retryAuthorised(async () => {
    const { org, membership } = await requireOrgAdmin(deps, orgId, caller);
    configured(org);
    const held = await holdAdminReachable(deps, org, membership, { ssoOn: false, mappings: [] });
    await transact(deps.db, {
      organization: ssoOrganizationUpdate(deps, org, { remove: true }),
      ...held,
      ...callerUnchanged(deps, membership),
    });
  });
}
