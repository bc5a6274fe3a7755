import { SAML } from '@node-saml/node-saml';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type SamlRefusal, type VerifyInput, verifySamlResponse } from '../../functions/sso/assertion.ts';
import {
  type AssertionFields,
  assertionXml,
  base64,
  IDP_ISSUER,
  type IdpKeys,
  idpKeys,
  NOW,
  REQUEST_ID,
  responseXml,
  SP,
  signAssertion,
} from '../support/saml.ts';

let good: IdpKeys;
let other: IdpKeys;
beforeAll(() => {
  good = idpKeys();
  other = idpKeys();
});

const signed = (over: Partial<AssertionFields> = {}, key = good.key) =>
  signAssertion(assertionXml(over), key);

const input = (xml: string, over: Partial<VerifyInput> = {}): VerifyInput => ({
  samlResponse: base64(xml),
  idp: { issuer: IDP_ISSUER, certificates: [good.cert] },
  sp: SP,
  expectedInResponseTo: REQUEST_ID,
  now: NOW,
  clockSkewMs: 3 * 60_000,
  ...over,
});

const verify = (xml: string, over: Partial<VerifyInput> = {}) => verifySamlResponse(input(xml, over));

async function refused(xml: string, reason: SamlRefusal, over: Partial<VerifyInput> = {}) {
  await expect(verify(xml, over)).rejects.toMatchObject({ name: 'SamlRefused', reason });
}

const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000).toISOString();

describe('verifySamlResponse: a good response', () => {
  it('yields the NameID, email, groups, session and the assertion id with its expiry', async () => {
    // Prepare
    const xml = responseXml(
      signed({
        attributes: {
          mail: ['Alice@Acme.test'],
          groups: ['engineering'],
          'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups': ['g-1', 'engineering'],
          memberOf: ['cn=admins'],
        },
      }),
    );
    // Act
    const identity = await verify(xml);
    // Assess
    expect(identity).toEqual({
      nameId: 'alice@acme.test',
      nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
      sessionIndex: '_session-1',
      email: 'Alice@Acme.test',
      groups: ['engineering', 'g-1', 'cn=admins'],
      assertionId: '_assertion-1',
      notOnOrAfter: new Date(NOW.getTime() + 8 * 60_000),
    });
  });

  it('takes the email from an emailAddress NameID when no attribute carries one, and accepts any configured cert', async () => {
    const xml = responseXml(signed({ attributes: {} }));
    const identity = await verify(xml, {
      idp: { issuer: IDP_ISSUER, certificates: [other.cert, good.cert] },
    });
    expect(identity).toMatchObject({ email: 'alice@acme.test', groups: [] });
  });

  it('accepts a response without InResponseTo expectations and with a skewed clock inside the skew', async () => {
    const xml = responseXml(signed({ notOnOrAfter: minutes(-2), subjectNotOnOrAfter: minutes(-2) }));
    await expect(verify(xml, { expectedInResponseTo: undefined })).resolves.toMatchObject({
      nameId: 'alice@acme.test',
    });
  });
});

describe('verifySamlResponse: signatures', () => {
  it('refuses an unsigned assertion', async () => {
    await refused(responseXml(assertionXml()), 'signature');
  });

  it('refuses an assertion signed with another key', async () => {
    await refused(responseXml(signed({}, other.key)), 'signature');
  });

  it('refuses an assertion changed after it was signed', async () => {
    await refused(responseXml(signed().replace('alice@acme.test', 'admin@acme.test')), 'signature');
  });

  it('refuses when the IdP has no certificate configured', async () => {
    await refused(responseXml(signed()), 'signature', { idp: { issuer: IDP_ISSUER, certificates: [] } });
  });
});

describe('verifySamlResponse: signature wrapping', () => {
  const evil = () => assertionXml({ nameIdXml: 'admin@acme.test', attributes: { groups: ['admins'] } });

  it('refuses an unsigned copy placed before the signed assertion', async () => {
    await refused(responseXml(evil() + signed()), 'malformed');
  });

  it('refuses an unsigned copy placed after the signed assertion', async () => {
    await refused(responseXml(signed() + evil()), 'malformed');
  });

  it('refuses the signed assertion hidden in Extensions beside an unsigned one', async () => {
    const extensions = `<samlp:Extensions>${signed()}</samlp:Extensions>`;
    await refused(responseXml(evil(), { extensions }), 'malformed');
  });

  it('refuses the signed assertion nested inside an unsigned one (in a ds:Object)', async () => {
    const object = `<ds:Object xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${signed()}</ds:Object>`;
    const wrapper = evil().replace('</saml:Issuer>', `</saml:Issuer>${object}`);
    await refused(responseXml(wrapper), 'malformed');
  });

  it('refuses two validly signed assertions', async () => {
    await refused(responseXml(signed() + signed({ id: '_assertion-2' })), 'malformed');
  });

  it('refuses an EncryptedAssertion', async () => {
    await refused(responseXml('<saml:EncryptedAssertion><x/></saml:EncryptedAssertion>'), 'malformed');
  });

  it('returns the signed NameID whole when a comment is injected into it', async () => {
    // Prepare: the IdP signed "admin@acme.test.evil.com"; a comment does not change the canonical form
    const email = 'admin@acme.test.evil.com';
    const assertion = signed({ nameIdXml: email, attributes: {} }).replace(
      `>${email}<`,
      '>admin@acme.test<!---->.evil.com<',
    );
    // Act
    const identity = await verify(responseXml(assertion));
    // Assess
    expect(identity).toMatchObject({ nameId: email, email });
  });
});

describe('verifySamlResponse: values come from what node-saml verified', () => {
  afterEach(() => vi.restoreAllMocks());
  /** node-saml answering as if it had verified `assertion` (its canonical signed XML). */
  const verifiedAs = (assertion: string) =>
    vi.spyOn(SAML.prototype, 'validatePostResponseAsync').mockResolvedValue({
      profile: { getAssertionXml: () => assertion } as never,
      loggedOut: false,
    });

  it('refuses when the verified assertion is not the one the response carries', async () => {
    verifiedAs(assertionXml({ id: '_assertion-2' }));
    await refused(responseXml(signed()), 'signature');
  });

  it('reads the NameID and groups from the verified XML, not from the posted document', async () => {
    verifiedAs(assertionXml({ nameIdXml: 'bob@acme.test', attributes: { groups: ['viewers'] } }));
    const identity = await verify(responseXml(signed({ attributes: { groups: ['admins'] } })));
    expect(identity).toMatchObject({ nameId: 'bob@acme.test', groups: ['viewers'] });
  });
});

describe('verifySamlResponse: what node-saml does not check', () => {
  it('refuses a failure status around a validly signed assertion', async () => {
    const statusCode = 'urn:oasis:names:tc:SAML:2.0:status:Responder';
    await refused(responseXml(signed(), { statusCode }), 'status');
  });

  it('refuses a wrong or missing Destination', async () => {
    await refused(responseXml(signed(), { destination: 'https://evil.test/acs' }), 'destination');
    await refused(responseXml(signed(), { destination: undefined }), 'destination');
  });

  it('refuses a wrong Recipient', async () => {
    await refused(
      responseXml(signed({ recipient: 'https://api.example.test/api/v1/saml/acs/org-2' })),
      'recipient',
    );
  });

  it('refuses another issuer on the assertion, and on the Response when it names one', async () => {
    await refused(responseXml(signed({ issuer: 'http://www.okta.com/exk-other' })), 'issuer');
    await refused(responseXml(signed(), { issuer: 'http://www.okta.com/exk-other' }), 'issuer');
    await expect(verify(responseXml(signed(), { issuer: undefined }))).resolves.toBeDefined();
  });

  it('refuses an InResponseTo that is not our request, on the Response or on the assertion', async () => {
    await refused(responseXml(signed(), { inResponseTo: '_request-2' }), 'in_response_to');
    await refused(responseXml(signed({ inResponseTo: '_request-2' })), 'in_response_to');
  });
});

describe('verifySamlResponse: conditions', () => {
  it('refuses an assertion for another audience', async () => {
    await refused(responseXml(signed({ audience: 'https://other.test/sp' })), 'audience');
  });

  it('refuses an expired assertion (Conditions or subject confirmation) beyond the skew', async () => {
    await refused(responseXml(signed({ notOnOrAfter: minutes(-4) })), 'expired');
    await refused(responseXml(signed({ subjectNotOnOrAfter: minutes(-4) })), 'expired');
  });

  it('refuses an assertion not valid yet beyond the skew', async () => {
    await refused(responseXml(signed({ notBefore: minutes(4) })), 'not_yet_valid');
  });

  it('refuses what is not a SAML Response', async () => {
    await refused('<html/>', 'malformed');
    await refused(`<!DOCTYPE x [<!ENTITY a "b">]>${responseXml(signed())}`, 'malformed');
  });
});
