/**
 * The IdP configuration and role mappings through the HTTP API: certificates good and bad, the verified domain the IdP
 * needs (local DNS), the domain it then pins, our SP metadata as XML, mappings' CRUD, limits and refusals, 403 for
 * non-admins, and the admin-reachability rule with an organization whose only admin joined through SSO.
 */

import { randomBytes } from 'node:crypto';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DOMParser } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { ENTITY, keys } from '../../functions/shared/table.ts';
import { selfSignedCertificate } from '../support/certificates.ts';
import { claimDomain } from '../support/domains.ts';
import { addMember, deploymentViewer, orgWithAdmin } from '../support/factories.ts';
import { useInterleaving } from '../support/interleave.ts';
import { useStack } from '../support/stack.ts';

const { hold } = useInterleaving();
const api = useStack({
  localOnly: 'publishes TXT records on the local DNS server and edits memberships in the table',
});

type Org = { orgId: string; admin: string };
const run = randomBytes(3).toString('hex');
const DAY = 86_400_000;
const good = selfSignedCertificate({ subject: 'good-idp' });
const next = selfSignedCertificate({ key: 'ec:P-256', subject: 'next-idp' });

const idpPath = (org: Org) => `/api/v1/organizations/${org.orgId}/idp`;
const mappingsPath = (org: Org) => `/api/v1/organizations/${org.orgId}/role_mappings`;
const putIdp = (org: Org, body: unknown, as = org.admin) => api.call('PUT', idpPath(org), { as, body });
const idpBody = (certificates: string[], enabled = true) => ({
  enabled,
  login_identifier_prefix: 'acme',
  saml_idp: {
    issuer: 'http://www.okta.com/exk1',
    sso_url: 'https://acme.okta.com/app/sso/saml',
    public_certificate: certificates,
  },
});
const ownersMapping = (org: Org, name = 'owners') => ({
  name,
  enabled: true,
  rule: { any: [{ group: 'owners' }] },
  role_assignments: { organization: [{ role_id: 'organization-admin', organization_id: org.orgId }] },
});
const engineersMapping = (org: Org, name = 'engineers') => ({
  name,
  enabled: true,
  rule: { all: [{ group: 'eng*' }, { email: '*@ACME.test' }] },
  role_assignments: deploymentViewer(org.orgId),
});

/** An organization with `<label>-<run>.test` claimed and verified through the local DNS server. */
async function orgWithDomain(label: string): Promise<Org & { domain: string }> {
  const org = await orgWithAdmin(api, label);
  const domain = `${label}-${run}.test`;
  await claimDomain(api, org, domain);
  return { ...org, domain };
}

const errorOf = (res: { body: { errors: { code: string; message: string; fields?: string[] }[] } }) =>
  res.body.errors[0]!;

/**
 * An admin who joined through SSO, without a sign-in through an IdP (these organizations' IdPs are not real): what the
 * SSO join writes for them, the membership marked and their SSO identity (`sso/signin.ts`). test/integration/sso.test.ts
 * joins people through the local SAML IdP for real.
 */
const markJoinedThroughSso = async (orgId: string, userId: string) => {
  await dynamo.send(
    new UpdateCommand({
      TableName: api.stack.tableName,
      Key: keys.membership(orgId, userId),
      UpdateExpression: 'SET joined_through = :sso ADD version :one',
      ExpressionAttributeValues: { ':sso': 'sso', ':one': 1 },
    }),
  );
  const subject = `subject-of-${userId}`;
  await dynamo.send(
    new PutCommand({
      TableName: api.stack.tableName,
      Item: {
        ...keys.ssoIdentity(orgId, subject),
        entity: ENTITY.ssoIdentity,
        organization_id: orgId,
        subject,
        user_id: userId,
        email: 'sso@example.com',
        linked: 'existing_member',
        created_at: new Date().toISOString(),
        last_sign_in_at: new Date().toISOString(),
      },
    }),
  );
};

describe('the identity provider', () => {
  it('PUT → GET → metadata.xml → DELETE, with the domain pinned while it is configured', async () => {
    const org = await orgWithDomain('idp');
    expect((await api.call('GET', idpPath(org), { as: org.admin })).status).toBe(404);
    const put = await putIdp(org, idpBody([good, next]));
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({
      login_identifier: `acme-${org.orgId}`,
      acs: expect.stringContaining(`/api/v1/saml/acs/${org.orgId}`),
      sp_entity_id: expect.stringContaining(`/organizations/${org.orgId}/idp/metadata.xml`),
      metadata_url: expect.stringContaining(`/organizations/${org.orgId}/idp/metadata.xml`),
      signing_certificate: [],
      encryption_certificate: [],
      configuration: { enabled: true, login_identifier_prefix: 'acme' },
    });
    expect(put.body.configuration.saml_idp.public_certificate).toHaveLength(2);
    const got = await api.call('GET', idpPath(org), { as: org.admin });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(put.body);

    const meta = await api.call('GET', `${idpPath(org)}/metadata.xml`, { as: org.admin });
    expect(meta.status).toBe(200);
    expect(meta.headers.get('content-type')).toMatch(/^application\/xml/);
    const errors: string[] = [];
    const doc = new DOMParser({ onError: (level, msg) => errors.push(`${level}: ${msg}`) }).parseFromString(
      meta.text,
      'application/xml',
    );
    expect(errors).toEqual([]);
    const md = 'urn:oasis:names:tc:SAML:2.0:metadata';
    const entity = doc.getElementsByTagNameNS(md, 'EntityDescriptor')[0]!;
    expect(entity.getAttribute('entityID')).toBe(put.body.sp_entity_id);
    const sp = doc.getElementsByTagNameNS(md, 'SPSSODescriptor')[0]!;
    expect(sp.getAttribute('WantAssertionsSigned')).toBe('true');
    const acs = doc.getElementsByTagNameNS(md, 'AssertionConsumerService')[0]!;
    expect(acs.getAttribute('Location')).toBe(put.body.acs);
    expect(acs.getAttribute('Binding')).toBe('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(doc.getElementsByTagNameNS(md, 'NameIDFormat').length).toBeGreaterThan(0);

    const removeDomain = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/domains`, {
      as: org.admin,
      body: { domain_claim_request: org.domain },
    });
    expect(removeDomain.status).toBe(400);
    expect(errorOf(removeDomain).code).toBe('org.idp.idp_configured');

    expect((await api.call('DELETE', idpPath(org), { as: org.admin })).status).toBe(200);
    const gone = await api.call('GET', idpPath(org), { as: org.admin });
    expect(gone.status).toBe(404);
    expect(errorOf(gone).code).toBe('org.idp.idp_not_configured');
    expect((await api.call('GET', `${idpPath(org)}/metadata.xml`, { as: org.admin })).status).toBe(404);
    expect((await api.call('DELETE', idpPath(org), { as: org.admin })).status).toBe(404);
    const freed = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/domains`, {
      as: org.admin,
      body: { domain_claim_request: org.domain },
    });
    expect(freed.status, freed.text).toBe(200);
  });

  it('refuses bad certificates, naming which one and why; nothing is written', async () => {
    const org = await orgWithDomain('certs');
    const cases: [string, string, RegExp][] = [
      ['not a certificate', 'hello, I am a certificate', /not an X\.509 certificate|not a PEM/],
      [
        'a private key',
        '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
        /not a PEM certificate/,
      ],
      [
        'expired',
        selfSignedCertificate({
          notBefore: new Date(Date.now() - 30 * DAY),
          notAfter: new Date(Date.now() - DAY),
        }),
        /expired on/,
      ],
      ['not yet valid', selfSignedCertificate({ notBefore: new Date(Date.now() + DAY) }), /not valid until/],
      ['RSA 1024', selfSignedCertificate({ key: 'rsa:1024' }), /1024 bits; at least 2048/],
      ['secp256k1', selfSignedCertificate({ key: 'ec:secp256k1' }), /secp256k1/],
    ];
    for (const [what, bad, why] of cases) {
      const res = await putIdp(org, idpBody([good, bad]));
      expect(res.status, what).toBe(400);
      expect(errorOf(res).code).toBe('root.invalid_data');
      expect(errorOf(res).message, what).toMatch(/^Certificate 2 \(saml_idp\.public_certificate\[1\]\)/);
      expect(errorOf(res).message, what).toMatch(why);
      expect(errorOf(res).fields).toEqual(['saml_idp.public_certificate[1]']);
    }
    expect((await putIdp(org, idpBody([]))).status).toBe(400);
    expect((await putIdp(org, { ...idpBody([good]), login_identifier_prefix: 'Not OK' })).status).toBe(400);
    const http = idpBody([good]);
    http.saml_idp.sso_url = 'http://idp.example.com/sso';
    expect(errorOf(await putIdp(org, http)).fields).toEqual(['saml_idp.sso_url']);
    expect((await api.call('GET', idpPath(org), { as: org.admin })).status).toBe(404);
  });

  it('needs a verified domain: 400 without one (a pending claim is not enough)', async () => {
    const org = await orgWithAdmin(api, 'nodomain');
    const none = await putIdp(org, idpBody([good]));
    expect(none.status).toBe(400);
    expect(errorOf(none).code).toBe('org.idp.no_verified_domain');
    await api.call('POST', `/api/v1/organizations/${org.orgId}/domains/_generate_verification_code`, {
      as: org.admin,
      body: { domain_claim_request: `pending-${run}.test` },
    });
    expect(errorOf(await putIdp(org, idpBody([good]))).code).toBe('org.idp.no_verified_domain');
  });

  it('organization-admins only (403 for members and outsiders)', async () => {
    const org = await orgWithDomain('idpauthz');
    const member = await addMember(api, org, 'idpauthz-member');
    expect((await putIdp(org, idpBody([good]))).status).toBe(200);
    for (const as of [member.email, api.email('idpauthz-outsider')]) {
      expect((await api.call('GET', idpPath(org), { as })).status).toBe(403);
      expect((await putIdp(org, idpBody([good]), as)).status).toBe(403);
      expect((await api.call('DELETE', idpPath(org), { as })).status).toBe(403);
      expect((await api.call('GET', `${idpPath(org)}/metadata.xml`, { as })).status).toBe(403);
    }
  });
});

describe('role mappings', () => {
  it('POST, GET, PUT one (also renaming), PUT all, DELETE some, DELETE all', async () => {
    const org = await orgWithAdmin(api, 'maps');
    const add = await api.call('POST', mappingsPath(org), {
      as: org.admin,
      body: { mappings: [engineersMapping(org), ownersMapping(org)] },
    });
    expect(add.status, add.text).toBe(201);
    expect(add.body).toEqual({});
    const list = await api.call('GET', mappingsPath(org), { as: org.admin });
    expect(list.status).toBe(200);
    expect(list.body.mappings.map((m: { name: string }) => m.name)).toEqual(['engineers', 'owners']);
    // Emails are stored as they compare: in lower case.
    expect(list.body.mappings[0].rule).toEqual({ all: [{ group: 'eng*' }, { email: '*@acme.test' }] });

    const again = await api.call('POST', mappingsPath(org), {
      as: org.admin,
      body: { mappings: [ownersMapping(org)] },
    });
    expect(again.status).toBe(400);
    expect(errorOf(again).code).toBe('org.role_mapping_rule.already_exists');

    const renamed = await api.call('PUT', `${mappingsPath(org)}/engineers`, {
      as: org.admin,
      body: { mapping: { ...engineersMapping(org, 'devs'), enabled: false } },
    });
    expect(renamed.status, renamed.text).toBe(200);
    const missing = await api.call('PUT', `${mappingsPath(org)}/engineers`, {
      as: org.admin,
      body: { mapping: engineersMapping(org) },
    });
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('org.role_mapping_rule.role_mapping_not_found');
    const afterRename = (await api.call('GET', mappingsPath(org), { as: org.admin })).body.mappings;
    expect(afterRename.map((m: { name: string; enabled: boolean }) => [m.name, m.enabled])).toEqual([
      ['devs', false],
      ['owners', true],
    ]);

    const replaced = await api.call('PUT', mappingsPath(org), {
      as: org.admin,
      body: {
        mappings: [engineersMapping(org, 'a'), engineersMapping(org, 'b'), engineersMapping(org, 'c')],
      },
    });
    expect(replaced.status, replaced.text).toBe(200);
    const some = await api.call('DELETE', `${mappingsPath(org)}/a,c,nope`, { as: org.admin });
    expect(some.status, some.text).toBe(200);
    expect(some.body).toEqual({ mappings: ['a', 'c'] });
    expect((await api.call('GET', mappingsPath(org), { as: org.admin })).body.mappings).toHaveLength(1);
    expect((await api.call('DELETE', mappingsPath(org), { as: org.admin })).status).toBe(200);
    expect((await api.call('GET', mappingsPath(org), { as: org.admin })).body).toEqual({ mappings: [] });
  });

  it('refuses malformed rules with the reference’s codes, foreign role assignments, and more than 40 mappings', async () => {
    const org = await orgWithAdmin(api, 'mapbad');
    const post = (mappings: unknown[]) =>
      api.call('POST', mappingsPath(org), { as: org.admin, body: { mappings } });
    const base = engineersMapping(org);
    const cases: [unknown, string][] = [
      [
        { ...base, rule: { any: [{ group: 'a' }], all: [{ group: 'b' }] } },
        'org.role_mapping_rule.ambiguous_rule',
      ],
      [
        { ...base, rule: { any: [{ group: 'a', email: '*@a.test' }] } },
        'org.role_mapping_rule.ambiguous_rule',
      ],
      [{ ...base, rule: {} }, 'org.role_mapping_rule.empty_rule'],
      [{ ...base, rule: { any: [] } }, 'org.role_mapping_rule.empty_rule'],
      [{ ...base, rule: { any: [{ email: 'not-an-address' }] } }, 'org.role_mapping_rule.email_syntax_error'],
      [{ ...base, name: 'a,b' }, 'org.role_mapping_rule.syntax_error'],
      [
        {
          ...base,
          role_assignments: { organization: [{ role_id: 'organization-admin', organization_id: 'other' }] },
        },
        'role_assignments.invalid_config',
      ],
      [
        {
          ...base,
          role_assignments: { deployment: [{ role_id: 'root', organization_id: org.orgId, all: true }] },
        },
        'role_assignments.invalid_config',
      ],
    ];
    for (const [mapping, code] of cases) {
      const res = await post([mapping]);
      expect(res.status, JSON.stringify(mapping)).toBe(400);
      expect(errorOf(res).code, JSON.stringify(mapping)).toBe(code);
    }
    const many = Array.from({ length: 41 }, (_, i) => engineersMapping(org, `m${i}`));
    const tooMany = await post(many);
    expect(tooMany.status).toBe(400);
    expect(errorOf(tooMany).code).toBe('org.role_mapping_rule.too_many_role_mappings');
    expect((await post(many.slice(0, 40))).status).toBe(201);
    const oneMore = await post([engineersMapping(org, 'm40')]);
    expect(errorOf(oneMore).code).toBe('org.role_mapping_rule.too_many_role_mappings');
    expect((await api.call('GET', mappingsPath(org), { as: org.admin })).body.mappings).toHaveLength(40);
  });

  it('organization-admins only (403)', async () => {
    const org = await orgWithAdmin(api, 'mapauthz');
    const member = await addMember(api, org, 'mapauthz-member');
    for (const as of [member.email, api.email('mapauthz-outsider')]) {
      expect((await api.call('GET', mappingsPath(org), { as })).status).toBe(403);
      const body = { mappings: [engineersMapping(org)] };
      expect((await api.call('POST', mappingsPath(org), { as, body })).status).toBe(403);
      expect((await api.call('PUT', mappingsPath(org), { as, body })).status).toBe(403);
      expect((await api.call('DELETE', mappingsPath(org), { as })).status).toBe(403);
      expect((await api.call('DELETE', `${mappingsPath(org)}/engineers`, { as })).status).toBe(403);
    }
  });
});

describe('the admin-reachability rule', () => {
  it('with only SSO-joined admins, the last mapping granting organization-admin stays, and SSO cannot be turned off', async () => {
    const org = await orgWithDomain('reach');
    const me = await api.call('GET', '/api/v1/users/me', { as: org.admin });
    const adminId = me.body.user_id as string;
    expect(adminId).toBeTruthy();
    expect((await putIdp(org, idpBody([good]))).status).toBe(200);
    const owners = ownersMapping(org);
    expect(
      (
        await api.call('POST', mappingsPath(org), {
          as: org.admin,
          body: { mappings: [owners, engineersMapping(org)] },
        })
      ).status,
    ).toBe(201);
    await markJoinedThroughSso(org.orgId, adminId);

    const refusals = [
      await api.call('DELETE', `${mappingsPath(org)}/owners`, { as: org.admin }),
      await api.call('DELETE', mappingsPath(org), { as: org.admin }),
      await api.call('PUT', mappingsPath(org), {
        as: org.admin,
        body: { mappings: [engineersMapping(org)] },
      }),
      await api.call('PUT', `${mappingsPath(org)}/owners`, {
        as: org.admin,
        body: { mapping: { ...owners, enabled: false } },
      }),
      await putIdp(org, idpBody([good], false)),
      await api.call('DELETE', idpPath(org), { as: org.admin }),
    ];
    for (const res of refusals) {
      expect(res.status, res.text).toBe(400);
      expect(errorOf(res).code).toBe('org.role_mapping_rule.admin_unreachable');
      expect(errorOf(res).message).toMatch(/organization-admin/);
    }
    expect((await api.call('GET', mappingsPath(org), { as: org.admin })).body.mappings).toHaveLength(2);
    // Deleting a mapping that grants something else is fine.
    expect((await api.call('DELETE', `${mappingsPath(org)}/engineers`, { as: org.admin })).status).toBe(200);

    // A second admin who signs in without SSO makes the organization-admin reachable again: now it may go.
    await addMember(api, org, 'reach-breakglass', {
      organization: [{ role_id: 'organization-admin', organization_id: org.orgId }],
    });
    const deleted = await api.call('DELETE', `${mappingsPath(org)}/owners`, { as: org.admin });
    expect(deleted.status, deleted.text).toBe(200);
    expect((await api.call('DELETE', idpPath(org), { as: org.admin })).status).toBe(200);
  });

  it('a non-SSO admin caller is their own witness: every change is allowed', async () => {
    const org = await orgWithDomain('reachok');
    expect((await putIdp(org, idpBody([good]))).status).toBe(200);
    expect((await api.call('DELETE', mappingsPath(org), { as: org.admin })).status).toBe(200);
    expect((await putIdp(org, idpBody([good], false))).status).toBe(200);
  });
});

/** A transaction one of whose items' update expression contains `fragment`. */
const transactionWith = (fragment: string) => (command: string, input: any) =>
  command === 'TransactWriteItemsCommand' &&
  (input?.TransactItems ?? []).some((i: any) => String(i.Update?.UpdateExpression ?? '').includes(fragment));

describe('held by the write, not by the read', () => {
  it('a domain deleted between the IdP’s read and its write: no IdP is set, 400 no_verified_domain', async () => {
    const org = await orgWithDomain('race-domain');
    const h = hold({
      match: transactionWith('SET idp = :idp'),
      seen: 0,
      before: async () => {
        const gone = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/domains`, {
          as: org.admin,
          body: { domain_claim_request: org.domain },
        });
        expect(gone.status, gone.text).toBe(200);
      },
    });
    const res = await putIdp(org, idpBody([good]));
    expect(h.seen).toBe(1);
    expect(res.status, res.text).toBe(400);
    expect(errorOf(res).code).toBe('org.idp.no_verified_domain');
    expect((await api.call('GET', idpPath(org), { as: org.admin })).status).toBe(404);
    expect(await api.violations()).toEqual([]);
  });

  it('the non-SSO admin the rule relies on is demoted between the read and the write: the change is refused', async () => {
    const org = await orgWithDomain('race-witness');
    const adminRoles = { organization: [{ role_id: 'organization-admin', organization_id: org.orgId }] };
    expect((await putIdp(org, idpBody([good]))).status).toBe(200);
    const add = await api.call('POST', mappingsPath(org), {
      as: org.admin,
      body: { mappings: [ownersMapping(org)] },
    });
    expect(add.status, add.text).toBe(201);
    const me = await api.call('GET', '/api/v1/users/me', { as: org.admin });
    const breakGlass = await addMember(api, org, 'race-witness-b', adminRoles);
    await markJoinedThroughSso(org.orgId, me.body.user_id);
    const h = hold({
      match: transactionWith('ADD sso_version :one'),
      seen: 0,
      before: async () => {
        const demoted = await api.call('DELETE', `/api/v1/users/${breakGlass.userId}/role_assignments`, {
          as: org.admin,
          body: adminRoles,
        });
        expect(demoted.status, demoted.text).toBe(200);
      },
    });
    const res = await api.call('DELETE', `${mappingsPath(org)}/owners`, { as: org.admin });
    expect(h.seen).toBe(1);
    expect(res.status, res.text).toBe(400);
    expect(errorOf(res).code).toBe('org.role_mapping_rule.admin_unreachable');
    expect((await api.call('GET', mappingsPath(org), { as: org.admin })).body.mappings).toHaveLength(1);
  });
});
