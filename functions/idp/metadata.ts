/**
 * Our side of an organization's SAML connection: the service provider's URLs (entity id, ACS, metadata) and its
 * SAML 2.0 metadata document, which the company's admin gives their IdP (Okta, Entra ID, Google Workspace).
 *
 * The XML is written here rather than by an SP library: it is one fixed element tree with three values in it, each
 * escaped (`xmlEscape`), and the sign-in slice of #21 will choose its SAML library for verifying responses, where the
 * risk is. `test/integration/idp.test.ts` parses it with @xmldom/xmldom.
 */

export interface ServiceProvider {
  /** Our entity id for this organization: the audience its IdP must put in assertions. */
  entityId: string;
  /** Where the IdP posts responses (HTTP-POST binding). Served by #21's sign-in slice. */
  acs: string;
  /** This document's address (organization-admins, bearer token). */
  metadataUrl: string;
}

/** One service provider per organization, so an assertion for one organization is never accepted by another. */
export function serviceProvider(publicBaseUrl: string, orgId: string): ServiceProvider {
  const id = encodeURIComponent(orgId);
  const metadataUrl = `${publicBaseUrl}/api/v1/organizations/${id}/idp/metadata.xml`;
  return { entityId: metadataUrl, acs: `${publicBaseUrl}/api/v1/saml/acs/${id}`, metadataUrl };
}

/** Where people start an SP-initiated sign-in for this IdP (#21's sign-in slice serves it). */
export const ssoLoginUrl = (publicBaseUrl: string, loginIdentifier: string) =>
  `${publicBaseUrl}/api/v1/saml/login/${encodeURIComponent(loginIdentifier)}`;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text safe in XML content and in attribute values of either quote. */
export const xmlEscape = (value: string): string => value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const NAME_ID_FORMATS = [
  // Persistent first: the person is identified by the IdP and this opaque id, never by the email alone.
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
  'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
];

/** The SP metadata: an EntityDescriptor with one SPSSODescriptor wanting signed assertions, posted to our ACS. */
export function spMetadataXml(sp: ServiceProvider): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${xmlEscape(sp.entityId)}">`,
    '  <md:SPSSODescriptor AuthnRequestsSigned="false" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
    ...NAME_ID_FORMATS.map((f) => `    <md:NameIDFormat>${xmlEscape(f)}</md:NameIDFormat>`),
    `    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${xmlEscape(sp.acs)}" index="0" isDefault="true"/>`,
    '  </md:SPSSODescriptor>',
    '</md:EntityDescriptor>',
    '',
  ].join('\n');
}
