/**
 * SAML test data: an IdP key pair with a self-signed certificate (openssl), Assertions signed with xml-crypto the way
 * Okta and Entra ID sign them (exclusive c14n, enveloped, rsa-sha256), the Responses around them, and the
 * AuthnRequests a service provider sends.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xmlEscape } from '../../functions/idp/metadata.ts';
import { encodeRedirectRequest } from '../../local/saml-idp.ts';

export interface IdpKeys {
  key: string;
  cert: string;
}

/** A fresh RSA-2048 key and a self-signed certificate for it. */
export function idpKeys(): IdpKeys {
  const dir = mkdtempSync(join(tmpdir(), 'saml-idp-'));
  try {
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
      '-subj', '/CN=test-idp', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' }); // biome-ignore format: one command line
    return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const NOW = new Date('2026-12-07T12:00:00.000Z');
export const IDP_ISSUER = 'http://www.okta.com/exk-acme';
export const SP = {
  entityId: 'https://api.example.test/api/v1/organizations/org-1/idp/metadata.xml',
  acsUrl: 'https://api.example.test/api/v1/saml/acs/org-1',
};
export const REQUEST_ID = '_request-1';
export const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

const at = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000).toISOString();

export interface AssertionFields {
  id: string;
  issuer: string;
  /** Raw XML inside <NameID> (so a test can put a comment in it). */
  nameIdXml: string;
  nameIdFormat: string;
  audience: string;
  recipient: string;
  inResponseTo: string;
  notBefore: string;
  notOnOrAfter: string;
  subjectNotOnOrAfter: string;
  attributes: Record<string, string[]>;
}

export const assertionFields = (over: Partial<AssertionFields> = {}): AssertionFields => ({
  id: '_assertion-1',
  issuer: IDP_ISSUER,
  nameIdXml: 'alice@acme.test',
  nameIdFormat: EMAIL_FORMAT,
  audience: SP.entityId,
  recipient: SP.acsUrl,
  inResponseTo: REQUEST_ID,
  notBefore: at(-1),
  notOnOrAfter: at(5),
  subjectNotOnOrAfter: at(5),
  attributes: { email: ['alice@acme.test'], groups: ['engineering', 'admins'] },
  ...over,
});

export function assertionXml(over: Partial<AssertionFields> = {}): string {
  const f = assertionFields(over);
  const attributes = Object.entries(f.attributes).map(
    ([name, values]) =>
      `<saml:Attribute Name="${xmlEscape(name)}">${values.map((v) => `<saml:AttributeValue>${xmlEscape(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
  );
  return [
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${f.id}" Version="2.0" IssueInstant="${at(0)}">`,
    `<saml:Issuer>${xmlEscape(f.issuer)}</saml:Issuer>`,
    '<saml:Subject>',
    `<saml:NameID Format="${f.nameIdFormat}">${f.nameIdXml}</saml:NameID>`,
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">',
    `<saml:SubjectConfirmationData InResponseTo="${f.inResponseTo}" NotOnOrAfter="${f.subjectNotOnOrAfter}" Recipient="${xmlEscape(f.recipient)}"/>`,
    '</saml:SubjectConfirmation>',
    '</saml:Subject>',
    `<saml:Conditions NotBefore="${f.notBefore}" NotOnOrAfter="${f.notOnOrAfter}">`,
    `<saml:AudienceRestriction><saml:Audience>${xmlEscape(f.audience)}</saml:Audience></saml:AudienceRestriction>`,
    '</saml:Conditions>',
    `<saml:AuthnStatement AuthnInstant="${at(0)}" SessionIndex="_session-1"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
    `<saml:AttributeStatement>${attributes.join('')}</saml:AttributeStatement>`,
    '</saml:Assertion>',
  ].join('');
}

/** The assertion with an enveloped signature after its Issuer, by `key`: as the local SAML IdP signs. */
export { signAssertion } from '../../local/saml-idp.ts';

export interface ResponseFields {
  destination: string | undefined;
  issuer: string | undefined;
  inResponseTo: string;
  statusCode: string;
  /** Extra XML right after the Status (an Extensions element goes before it: see `extensions`). */
  extensions: string;
}

const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';

/** A Response holding `body` (the assertions, as XML). */
export function responseXml(body: string, over: Partial<ResponseFields> = {}): string {
  const f: ResponseFields = {
    destination: SP.acsUrl,
    issuer: IDP_ISSUER,
    inResponseTo: REQUEST_ID,
    statusCode: SUCCESS,
    extensions: '',
    ...over,
  };
  const destination = f.destination === undefined ? '' : ` Destination="${xmlEscape(f.destination)}"`;
  return [
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"',
    ` ID="_response-1" Version="2.0" IssueInstant="${at(0)}" InResponseTo="${f.inResponseTo}"${destination}>`,
    f.issuer === undefined ? '' : `<saml:Issuer>${xmlEscape(f.issuer)}</saml:Issuer>`,
    f.extensions,
    `<samlp:Status><samlp:StatusCode Value="${f.statusCode}"/></samlp:Status>`,
    body,
    '</samlp:Response>',
  ].join('');
}

export const base64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

/** An SP-initiated AuthnRequest as our service provider sends it with the HTTP-Redirect binding: base64(deflate-raw). */
export function authnRequestForTests(
  over: { id?: string; issuer?: string; acsUrl?: string; destination?: string } = {},
): { id: string; samlRequest: string; xml: string } {
  const id = over.id ?? `_req-${Math.random().toString(36).slice(2)}`;
  const xml = [
    '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"',
    ` ID="${xmlEscape(id)}" Version="2.0" IssueInstant="${new Date().toISOString()}"`,
    ` AssertionConsumerServiceURL="${xmlEscape(over.acsUrl ?? SP.acsUrl)}"`,
    over.destination ? ` Destination="${xmlEscape(over.destination)}"` : '',
    ' ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST">',
    `<saml:Issuer>${xmlEscape(over.issuer ?? SP.entityId)}</saml:Issuer>`,
    '</samlp:AuthnRequest>',
  ].join('');
  return { id, samlRequest: encodeRedirectRequest(xml), xml };
}
