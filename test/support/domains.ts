/** Claiming a domain through the API and the local DNS server, as an organization's admin does. */
import { expect } from 'vitest';
import type { TestApi } from './stack.ts';

export async function claimDomain(
  api: TestApi,
  org: { orgId: string; admin: string },
  domain: string,
): Promise<void> {
  const base = `/api/v1/organizations/${org.orgId}/domains`;
  const gen = await api.call('POST', `${base}/_generate_verification_code`, {
    as: org.admin,
    body: { domain_claim_request: domain },
  });
  expect(gen.status, gen.text).toBe(200);
  api.stack.dns.setTxt(`_elastic-cloud-verification.${domain}`, [gen.body.verification]);
  const ok = await api.call('POST', `${base}/_verify`, {
    as: org.admin,
    body: { domain_claim_request: domain },
  });
  expect(ok.status, ok.text).toBe(200);
}
