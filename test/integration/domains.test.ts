/**
 * Claimed domains through the HTTP API and the local DNS server (`local/dns.ts`): the code, the TXT record, 449 until
 * it is visible, one organization per domain under concurrency and forced interleavings, release on delete and when
 * the organization closes, and refusals at the edge that write nothing.
 */
import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { scanAll } from '../../functions/shared/invariants.ts';
import { addMember, orgWithAdmin } from '../support/factories.ts';
import { useInterleaving } from '../support/interleave.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  localOnly:
    'publishes TXT records on the local DNS server and holds requests in the in-process handlers’ DynamoDB client',
});
const { hold } = useInterleaving();

type Org = { orgId: string; admin: string };
const run = randomBytes(3).toString('hex');
const domainOf = (label: string) => `${label}-${run}.test`;
const recordOf = (domain: string) => `_elastic-cloud-verification.${domain}`;
const base = (org: Org) => `/api/v1/organizations/${org.orgId}/domains`;

const generate = (org: Org, domain: string, as = org.admin) =>
  api.call('POST', `${base(org)}/_generate_verification_code`, {
    as,
    body: { domain_claim_request: domain },
  });
const verify = (org: Org, domain: string, as = org.admin) =>
  api.call('POST', `${base(org)}/_verify`, { as, body: { domain_claim_request: domain } });
const list = (org: Org, as = org.admin) => api.call('GET', base(org), { as });
const remove = (org: Org, domain: string, as = org.admin) =>
  api.call('DELETE', base(org), { as, body: { domain_claim_request: domain } });

/** A code for `domain`, published (beside any codes already there, as two organizations' records would be). */
async function codePublished(org: Org, domain: string): Promise<string> {
  const res = await generate(org, domain);
  expect(res.status, res.text).toBe(200);
  const code = res.body.verification as string;
  const { readRecords } = await import('../../local/dns.ts');
  const existing = readRecords(api.stack.dns.recordsFile)[recordOf(domain)] ?? [];
  api.stack.dns.setTxt(recordOf(domain), [...existing, code]);
  return code;
}

const domainItems = async () =>
  (await scanAll(dynamo, api.stack.tableName)).filter(
    (i) => i.entity === 'DomainClaim' || i.entity === 'Domain',
  );

describe('claiming a domain', () => {
  it('generate → 449 until the TXT record is visible → verify → listed; verifying again answers 200', async () => {
    const org = await orgWithAdmin(api, 'claim');
    const domain = domainOf('acme');
    const gen = await generate(org, domain.toUpperCase());
    expect(gen.status, gen.text).toBe(200);
    expect(gen.body).toEqual({
      verification: expect.stringMatching(/^org-verification=/),
      record: recordOf(domain),
    });
    // Asking again while pending gives the same code: a record already published stays valid.
    expect((await generate(org, `${domain}.`)).body.verification).toBe(gen.body.verification);

    const early = await verify(org, domain);
    expect(early.status, early.text).toBe(449);
    expect(early.body.errors[0].code).toBe('org.domain_claim.verification_pending');
    expect(early.body.errors[0].message).toContain(`TXT record named ${recordOf(domain)}`);
    expect(early.body.errors[0].message).toContain(gen.body.verification);
    expect((await list(org)).body).toEqual({ domains: [] });

    api.stack.dns.setTxt(recordOf(domain), ['v=spf1 -all']);
    const wrong = await verify(org, domain);
    expect(wrong.status).toBe(449);
    expect(wrong.body.errors[0].message).toContain('none of them this code');

    api.stack.dns.setTxt(recordOf(domain), ['v=spf1 -all', gen.body.verification]);
    const ok = await verify(org, domain);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({});
    expect((await list(org)).body).toEqual({ domains: [domain] });
    expect((await verify(org, domain)).status).toBe(200);

    const again = await generate(org, domain);
    expect(again.status).toBe(400);
    expect(again.body.errors[0].code).toBe('org.domain_claim.already_exists');
  });

  it('an internationalised name is claimed in its ASCII (IDNA) form', async () => {
    const org = await orgWithAdmin(api, 'idna');
    const res = await generate(org, `Bücher-${run}.TEST.`);
    expect(res.status, res.text).toBe(200);
    const ascii = domainToASCII(`bücher-${run}.test`);
    expect(ascii).toMatch(/^xn--/);
    expect(res.body.record).toBe(recordOf(ascii));
  });

  it('only organization-admins see or change claims (403), and a claim without a code is refused', async () => {
    const org = await orgWithAdmin(api, 'authz');
    const member = await addMember(api, org, 'authz-member');
    const outsider = api.email('authz-outsider');
    const domain = domainOf('authz');
    for (const as of [member.email, outsider]) {
      expect((await list(org, as)).status).toBe(403);
      expect((await generate(org, domain, as)).status).toBe(403);
      expect((await verify(org, domain, as)).status).toBe(403);
      expect((await remove(org, domain, as)).status).toBe(403);
    }
    const none = await verify(org, domain);
    expect(none.status).toBe(400);
    expect(none.body.errors[0]).toMatchObject({
      code: 'root.invalid_data',
      fields: ['domain_claim_request'],
    });
    expect(await domainItems()).not.toContainEqual(expect.objectContaining({ organization_id: org.orgId }));
  });

  it('public mail domains and malformed names: 400 with the API’s error body, nothing written', async () => {
    const org = await orgWithAdmin(api, 'edge');
    const before = await domainItems();
    const refused = [
      'gmail.com',
      'GoogleMail.com.',
      'outlook.com',
      'proton.me',
      'gmx.de',
      'gmx.net',
      'yandex.ru',
      'mail.ru',
      'qq.com',
      '163.com',
      'mx.yahoo.com',
      'localhost',
      'acme',
      '*.acme.test',
      '192.0.2.1',
      '::1',
      '[2001:db8::1]',
      'user@acme.test',
      'https://acme.test/',
      'acme.test:443',
      '-acme.test',
      'acme..test',
      `${'a'.repeat(64)}.test`,
      `${'abcdefghi.'.repeat(26)}test`,
      '',
      '   ',
    ];
    for (const name of refused) {
      for (const call of [generate, verify, remove]) {
        const res = await call(org, name);
        expect(res.status, `${name}: ${res.text}`).toBe(400);
        expect(res.body.errors[0]).toMatchObject({
          code: 'root.invalid_data',
          fields: ['domain_claim_request'],
        });
      }
    }
    const gmail = await generate(org, 'gmail.com');
    expect(gmail.body.errors[0].message).toContain('public mail domain');
    const missing = await api.call('POST', `${base(org)}/_generate_verification_code`, {
      as: org.admin,
      body: {},
    });
    expect(missing.status).toBe(400);
    expect(await domainItems()).toEqual(before);
  });
});

describe('one organization per domain', () => {
  it('two organizations verifying one domain at once: exactly one wins, every round', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await orgWithAdmin(api, `race-a${round}`);
      const b = await orgWithAdmin(api, `race-b${round}`);
      const domain = domainOf(`race${round}`);
      await codePublished(a, domain);
      await codePublished(b, domain);
      const answers = await Promise.all([verify(a, domain), verify(b, domain)]);
      const statuses = answers.map((r) => r.status).sort();
      expect(statuses, answers.map((r) => r.text).join(' | ')).toEqual([200, 400]);
      const loser = answers.find((r) => r.status === 400)!;
      expect(loser.body.errors[0].code).toBe('org.domain_claim.already_exists');
      const lists = await Promise.all([list(a), list(b)]);
      expect(lists.flatMap((l) => l.body.domains)).toEqual([domain]);
    }
    expect(await api.violations()).toEqual([]);
  });

  it('another organization verifies between our read and our write: the condition decides, we get already_exists', async () => {
    const a = await orgWithAdmin(api, 'held-a');
    const b = await orgWithAdmin(api, 'held-b');
    const domain = domainOf('held');
    await codePublished(a, domain);
    await codePublished(b, domain);
    const h = hold({
      match: (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        (input?.TransactItems ?? []).some(
          (i: any) => i.Put?.Item?.pk === `DOMAIN#${domain}` && i.Put.Item.organization_id === a.orgId,
        ),
      seen: 0,
      before: async () => {
        const won = await verify(b, domain);
        expect(won.status, won.text).toBe(200);
      },
    });
    const lost = await verify(a, domain);
    expect(h.seen).toBe(1);
    expect(lost.status, lost.text).toBe(400);
    expect(lost.body.errors[0].code).toBe('org.domain_claim.already_exists');
    expect((await list(b)).body.domains).toEqual([domain]);
    expect((await list(a)).body.domains).toEqual([]);
  });

  it('deleting a claim releases the domain in the same write: another organization can then claim it', async () => {
    const a = await orgWithAdmin(api, 'release-a');
    const b = await orgWithAdmin(api, 'release-b');
    const domain = domainOf('release');
    await codePublished(a, domain);
    expect((await verify(a, domain)).status).toBe(200);

    const taken = await generate(b, domain);
    expect(taken.status).toBe(400);
    expect(taken.body.errors[0].message).toContain('another organization');

    const deleted = await remove(a, domain);
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body).toEqual({});
    expect((await list(a)).body.domains).toEqual([]);
    expect((await remove(a, domain)).status).toBe(200); // nothing left to release

    await codePublished(b, domain);
    const claimed = await verify(b, domain);
    expect(claimed.status, claimed.text).toBe(200);
    expect((await list(b)).body.domains).toEqual([domain]);
  });

  it('an organization that closes (its last member leaves) releases its domains, even one verified while it closed', async () => {
    const a = await orgWithAdmin(api, 'close-a');
    const b = await orgWithAdmin(api, 'close-b');
    const [first, second] = [domainOf('close1'), domainOf('close2')];
    await codePublished(a, first);
    await codePublished(a, second);
    expect((await verify(a, first)).status).toBe(200);

    // The second domain is verified between the leave's read and its write: the close must release it too.
    const h = hold({
      match: (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        (input?.TransactItems ?? []).some((i: any) =>
          String(i.Update?.UpdateExpression ?? '').includes('#status = :closed'),
        ),
      seen: 0,
      before: async () => {
        const verified = await verify(a, second);
        expect(verified.status, verified.text).toBe(200);
      },
    });
    const left = await api.call('DELETE', `/api/v1/organizations/${a.orgId}/members/me`, { as: a.admin });
    expect(left.status, left.text).toBe(200);
    expect(h.seen).toBe(1);
    expect(await domainItems()).not.toContainEqual(expect.objectContaining({ organization_id: a.orgId }));
    expect(await api.violations()).toEqual([]);

    for (const domain of [first, second]) {
      await codePublished(b, domain);
      expect((await verify(b, domain)).status).toBe(200);
    }
    expect((await list(b)).body.domains).toEqual([first, second].sort());
  });

  it('an admin demoted between the verify’s read and its write: nothing is claimed, the verify answers 403', async () => {
    const org = await orgWithAdmin(api, 'demoted');
    const adminRoles = { organization: [{ role_id: 'organization-admin', organization_id: org.orgId }] };
    const b = await addMember(api, org, 'demoted-b', adminRoles);
    const domain = domainOf('demoted');
    await codePublished(org, domain);
    hold({
      match: (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        (input?.TransactItems ?? []).some((i: any) => i.Put?.Item?.pk === `DOMAIN#${domain}`),
      seen: 0,
      before: async () => {
        const demoted = await api.call('DELETE', `/api/v1/users/${b.userId}/role_assignments`, {
          as: org.admin,
          body: adminRoles,
        });
        expect(demoted.status, demoted.text).toBe(200);
      },
    });
    const res = await verify(org, domain, b.email);
    expect(res.status, res.text).toBe(403);
    expect((await list(org)).body.domains).toEqual([]);
  });
});
