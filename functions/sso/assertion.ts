/**
 * Verifies a SAML 2.0 Response posted to our ACS (HTTP-POST binding) against an organization's IdP configuration, and
 * returns who signed in. No routes, no table: the caller owns both.
 *
 * - The signature is verified by @node-saml/node-saml (never by hand): the one Assertion, child of the Response, must
 *   carry a valid enveloped signature by one of the IdP's certificates (`wantAssertionsSigned`).
 * - Everything else is checked here as well, because node-saml 5.1 does not: the Response's status is Success (it
 *   accepts a signed assertion inside a failed Response), its Destination is our ACS, its Issuer (when present) is the
 *   IdP, `InResponseTo` matches our request; the Assertion's Issuer, audience, the bearer SubjectConfirmationData's
 *   Recipient, `InResponseTo` and `NotOnOrAfter`, and the Conditions' `NotBefore`/`NotOnOrAfter` against the injected
 *   clock (node-saml reads the wall clock, so its own time checks are off).
 * - Assertion values are read from the XML node-saml verified (the canonical signed content it returns), never from the
 *   posted document, and that node's ID must be the ID of the only Assertion in the document: an unsigned assertion
 *   beside, around or instead of the signed one (signature wrapping) is refused, and comments inside a value (the
 *   `a@b.com<!---->.evil.com` trick) cannot cut it short because the canonical form has none.
 * - Replay (each assertion id accepted once) is the caller's job: it needs the table. Store `assertionId` until
 *   `notOnOrAfter` (already including the clock skew) with a conditional put and a TTL.
 */
import { SAML as NodeSaml, ValidateInResponseTo } from '@node-saml/node-saml';
import type { Element } from '@xmldom/xmldom';
import {
  attr,
  children,
  descendantsNamed,
  instant,
  onlyChild,
  parseXml,
  SAML,
  SAMLP,
  text,
} from './saml-xml.ts';

export type SamlRefusal =
  | 'malformed'
  | 'signature'
  | 'status'
  | 'destination'
  | 'issuer'
  | 'audience'
  | 'recipient'
  | 'expired'
  | 'not_yet_valid'
  | 'in_response_to';

/** The response is not accepted; `reason` is for code, the message for the person reading the logs or the page. */
export class SamlRefused extends Error {
  override readonly name = 'SamlRefused';
  readonly reason: SamlRefusal;
  constructor(reason: SamlRefusal, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export interface VerifyInput {
  /** The POSTed `SAMLResponse` form field: base64 of the Response XML. */
  samlResponse: string;
  /** The organization's IdP: its entity id and signing certificates (PEM; several during a rotation). */
  idp: { issuer: string; certificates: readonly string[] };
  /** Our service provider for this organization (`serviceProvider()` in functions/idp/metadata.ts). */
  sp: { entityId: string; acsUrl: string };
  /** The ID of the AuthnRequest we sent; when given the Response and the assertion must answer it. */
  expectedInResponseTo?: string;
  now: Date;
  clockSkewMs?: number;
}

export interface SamlIdentity {
  nameId: string;
  nameIdFormat?: string;
  sessionIndex?: string;
  email?: string;
  groups: string[];
  assertionId: string;
  /** Keep `assertionId` until this instant to refuse replays: after it the assertion is refused as expired anyway. */
  notOnOrAfter: Date;
}

export const DEFAULT_CLOCK_SKEW_MS = 3 * 60_000;
const MAX_RESPONSE_CHARS = 512 * 1024;
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const GROUP_ATTRIBUTES = [
  'groups',
  'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups',
  'memberOf',
];
const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  'urn:oid:0.9.2342.19200300.100.1.3',
];

const refuse = (reason: SamlRefusal, message: string, cause?: unknown) =>
  new SamlRefused(reason, message, cause === undefined ? undefined : { cause });
const malformed = (what: string) => () => refuse('malformed', `The SAML response is malformed: ${what}.`);

export async function verifySamlResponse(input: VerifyInput): Promise<SamlIdentity> {
  const { idp, sp, now } = input;
  const skew = input.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  if (input.samlResponse.length > MAX_RESPONSE_CHARS) throw malformed('it is too large')();
  if (idp.certificates.length === 0)
    throw refuse('signature', 'The identity provider has no signing certificate configured.');
  const xml = Buffer.from(input.samlResponse, 'base64').toString('utf8');
  const response = parseXml(xml);
  if (response?.localName !== 'Response' || response.namespaceURI !== SAMLP)
    throw malformed('it is not a SAML 2.0 Response document')();

  checkEnvelope(response, input);
  const envelopeAssertion = onlyAssertion(response);
  const signed = await verifiedAssertion(input.samlResponse, input);
  const assertionId = attr(signed, 'ID');
  if (!assertionId || assertionId !== attr(envelopeAssertion, 'ID'))
    throw refuse('signature', 'The signed assertion is not the assertion this response carries.');

  const issuer = text(onlyChild(signed, SAML, 'Issuer', malformed('the assertion has several Issuers')));
  if (issuer !== idp.issuer)
    throw refuse('issuer', `The assertion was issued by "${issuer ?? '(none)'}", not by "${idp.issuer}".`);
  const at = now.getTime();
  const expiries = [checkConditions(signed, sp.entityId, at, skew), ...checkBearers(signed, input, at, skew)];
  const subject = onlyChild(signed, SAML, 'Subject', malformed('the assertion has several Subjects'));
  const nameIdNode =
    subject && onlyChild(subject, SAML, 'NameID', malformed('the subject has several NameIDs'));
  const nameId = text(nameIdNode);
  if (!nameId) throw malformed('the assertion has no NameID')();
  const nameIdFormat = attr(nameIdNode, 'Format');
  const attributes = readAttributes(signed);
  const email =
    EMAIL_ATTRIBUTES.map((name) => attributes.get(name)?.[0]).find(Boolean) ??
    (nameIdFormat === EMAIL_FORMAT ? nameId : undefined);
  const authn = children(signed, SAML, 'AuthnStatement')[0];
  return {
    nameId,
    nameIdFormat,
    sessionIndex: attr(authn, 'SessionIndex'),
    email,
    groups: [...new Set(GROUP_ATTRIBUTES.flatMap((name) => attributes.get(name) ?? []))],
    assertionId,
    notOnOrAfter: new Date(Math.min(...expiries.filter((e): e is number => e !== undefined)) + skew),
  };
}

/** The unsigned Response around the assertion: status, destination, issuer, request id. */
function checkEnvelope(response: Element, { idp, sp, expectedInResponseTo }: VerifyInput): void {
  const status = onlyChild(response, SAMLP, 'Status', malformed('the response has several Status elements'));
  const code = status && onlyChild(status, SAMLP, 'StatusCode', malformed('several StatusCodes'));
  const value = attr(code, 'Value');
  if (value !== SUCCESS) {
    const sub = code && attr(children(code, SAMLP, 'StatusCode')[0], 'Value');
    const message = status && text(children(status, SAMLP, 'StatusMessage')[0]);
    const said = [value, sub, message].filter(Boolean).join(', ') || 'no status';
    throw refuse('status', `The identity provider did not sign you in (${said}).`);
  }
  const destination = attr(response, 'Destination');
  if (destination !== sp.acsUrl)
    throw refuse(
      'destination',
      `The response is addressed to "${destination ?? '(nowhere)'}", not to ${sp.acsUrl}.`,
    );
  const issuer = onlyChild(response, SAML, 'Issuer', malformed('the response has several Issuers'));
  if (issuer && text(issuer) !== idp.issuer)
    throw refuse('issuer', `The response was issued by "${text(issuer) ?? ''}", not by "${idp.issuer}".`);
  const inResponseTo = attr(response, 'InResponseTo');
  if (expectedInResponseTo !== undefined && inResponseTo !== expectedInResponseTo)
    throw refuse('in_response_to', 'The response does not answer the sign-in request this browser started.');
}

/** The one Assertion, a child of the Response; anything else that looks like an assertion anywhere is refused. */
function onlyAssertion(response: Element): Element {
  const found = descendantsNamed(response, ['Assertion', 'EncryptedAssertion']);
  if (found.some((e) => e.localName === 'EncryptedAssertion'))
    throw malformed('encrypted assertions are not supported; turn assertion encryption off at the IdP')();
  const [assertion, ...more] = found;
  if (more.length > 0) throw malformed(`it holds ${found.length} assertions; exactly one is accepted`)();
  if (!assertion || assertion.parentNode !== response || assertion.namespaceURI !== SAML)
    throw malformed('it holds no assertion')();
  return assertion;
}

/** node-saml's verdict on the signature, and the assertion XML it verified (canonical: no comments). */
async function verifiedAssertion(samlResponse: string, { idp, sp }: VerifyInput): Promise<Element> {
  const saml = new NodeSaml({
    idpCert: [...idp.certificates],
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    audience: sp.entityId,
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    // Time is checked here against the injected clock; node-saml would read the wall clock.
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
  });
  let signedXml: string | undefined;
  try {
    const { profile } = await saml.validatePostResponseAsync({ SAMLResponse: samlResponse });
    signedXml = profile?.getAssertionXml?.();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/audience/i.test(message))
      throw refuse('audience', `The assertion is not meant for this service (${sp.entityId}).`, e);
    throw refuse(
      'signature',
      `The assertion's signature is not valid for this identity provider (${message}).`,
      e,
    );
  }
  const signed = signedXml === undefined ? undefined : parseXml(signedXml);
  if (signed?.localName !== 'Assertion' || signed.namespaceURI !== SAML)
    throw refuse('signature', 'No signed assertion was found in the response.');
  return signed;
}

function checkTimes(what: string, el: Element | undefined, at: number, skew: number): number | undefined {
  const notBefore = instant(attr(el, 'NotBefore'), malformed(`${what} NotBefore is not a date`));
  const notOnOrAfter = instant(attr(el, 'NotOnOrAfter'), malformed(`${what} NotOnOrAfter is not a date`));
  if (notBefore !== undefined && at + skew < notBefore)
    throw refuse('not_yet_valid', `The assertion is not valid before ${new Date(notBefore).toISOString()}.`);
  if (notOnOrAfter !== undefined && at - skew >= notOnOrAfter)
    throw refuse('expired', `The assertion expired at ${new Date(notOnOrAfter).toISOString()}.`);
  return notOnOrAfter;
}

/** Conditions: validity window and every AudienceRestriction naming us. Returns its NotOnOrAfter. */
function checkConditions(assertion: Element, audience: string, at: number, skew: number): number | undefined {
  const conditions = onlyChild(
    assertion,
    SAML,
    'Conditions',
    malformed('the assertion has several Conditions'),
  );
  if (!conditions) throw refuse('audience', 'The assertion has no Conditions, so no audience.');
  const expiry = checkTimes('Conditions', conditions, at, skew);
  const restrictions = children(conditions, SAML, 'AudienceRestriction');
  const ours = (r: Element) => children(r, SAML, 'Audience').some((a) => text(a) === audience);
  if (restrictions.length === 0 || !restrictions.every(ours))
    throw refuse('audience', `The assertion is not meant for this service (${audience}).`);
  return expiry;
}

/** Bearer confirmations: each must name our ACS, answer our request and still be valid. Returns their expiries. */
function checkBearers(signed: Element, input: VerifyInput, at: number, skew: number): number[] {
  const subject = children(signed, SAML, 'Subject')[0];
  const bearers = subject
    ? children(subject, SAML, 'SubjectConfirmation').filter((c) => attr(c, 'Method') === BEARER)
    : [];
  if (bearers.length === 0) throw malformed('the assertion has no bearer subject confirmation')();
  return bearers.map((bearer) => {
    const data = children(bearer, SAML, 'SubjectConfirmationData')[0];
    const recipient = attr(data, 'Recipient');
    if (recipient !== input.sp.acsUrl)
      throw refuse(
        'recipient',
        `The assertion is for "${recipient ?? '(no recipient)'}", not ${input.sp.acsUrl}.`,
      );
    const inResponseTo = attr(data, 'InResponseTo');
    if (input.expectedInResponseTo !== undefined && inResponseTo !== input.expectedInResponseTo)
      throw refuse(
        'in_response_to',
        'The assertion does not answer the sign-in request this browser started.',
      );
    const expiry = checkTimes('SubjectConfirmationData', data, at, skew);
    if (expiry === undefined) throw malformed('the subject confirmation has no NotOnOrAfter')();
    return expiry;
  });
}

/** Attribute name to its values, from the signed assertion's AttributeStatements. */
function readAttributes(assertion: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const statement of children(assertion, SAML, 'AttributeStatement'))
    for (const attribute of children(statement, SAML, 'Attribute')) {
      const name = attr(attribute, 'Name');
      if (!name) continue;
      const values = children(attribute, SAML, 'AttributeValue').flatMap((v) => text(v) ?? []);
      out.set(name, [...(out.get(name) ?? []), ...values]);
    }
  return out;
}
