/**
 * The security review, as tests: only the three public routes are public, secrets never reach a log line, the
 * invitation page's headers allow no third-party code, and answers do not tell whether an address or token exists.
 */

import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ROUTES } from '../../functions/routes.ts';
import { dynamo } from '../../functions/shared/clients.ts';
import { invite, orgWithAdmin, tokenFromMail } from '../support/factories.ts';
import { captureLogLines } from '../support/log-capture.ts';
import {
  acceptFromMail,
  finished,
  scene,
  start,
  waitFor,
  waitingForAcceptance,
} from '../support/migration.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();

afterEach(() => {
  vi.restoreAllMocks();
  process.env.LOG_LEVEL = 'silent';
});

describe('security review', () => {
  it('public at the gateway: health, the API document, the invitation lookup and page, the sign-in redirect page, the scripts, and the protocol endpoints that check their own credentials (the SSO bridge, the SAML ACS, SCIM)', () => {
    expect(ROUTES.filter((r) => !r.auth).map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/v1/health',
      'GET /api/v1/openapi.json',
      'GET /api/v1/organizations/invitations/{invitation_token}',
      'GET /invitations/{token}',
      // The SSO bridge: OpenID Connect (client secret at the token endpoint, its own tokens at userinfo) and SAML
      // (signed assertions at the ACS); docs/sso.md.
      'GET /api/v1/sso/.well-known/openid-configuration',
      'GET /api/v1/sso/jwks.json',
      'GET /api/v1/sso/authorize',
      'POST /api/v1/sso/token',
      'GET /api/v1/sso/userinfo',
      'POST /api/v1/saml/acs/{organization_id}',
      'GET /api/v1/saml/login/{login_identifier}',
      // SCIM: the organization's SCIM bearer token, checked by the function (docs/scim.md).
      'GET /scim/v2/{organization_id}/{resource}',
      'POST /scim/v2/{organization_id}/{resource}',
      'GET /scim/v2/{organization_id}/{resource}/{resource_id}',
      'PUT /scim/v2/{organization_id}/{resource}/{resource_id}',
      'PATCH /scim/v2/{organization_id}/{resource}/{resource_id}',
      'DELETE /scim/v2/{organization_id}/{resource}/{resource_id}',
      'GET /auth/callback',
      'GET /assets/{file}',
    ]);
  });

  it('invitation tokens, JWTs and task tokens never reach a log line', async () => {
    api.requires('local-runtime', "the handlers' log lines reach this process only when they run in it");
    const lines = captureLogLines();

    const org = await orgWithAdmin(api, 'logs');
    const who = api.email('logged');
    await invite(api, org, [who, api.email('revoked')]);
    const token = await tokenFromMail(api, who);
    const revoked = await tokenFromMail(api, api.email('revoked'));
    const jwt = await api.token(who);
    await api.call('GET', `/api/v1/organizations/invitations/${token}`);
    await api.call('GET', `/invitations/${token}`);
    await api.call('DELETE', `/api/v1/organizations/${org.orgId}/invitations/${revoked}`, { as: org.admin });
    await api.call('POST', `/api/v1/organizations/invitations/${revoked}/_accept`, { token: jwt });
    await api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, { token: jwt });
    await api.call('POST', `/api/v1/organizations/invitations/${token}x/_accept`, { token: `${jwt}x` });

    // A migration's task token sits on the target invitation while the workflow waits for acceptance.
    const s = await scene(api, 'logmove', -1);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    // The step is recorded as current before its token is stored: poll for the token.
    let taskToken: string | undefined;
    for (let t = 0; t < 100 && !taskToken; t++) {
      const waiting = await dynamo.send(
        new GetCommand({
          TableName: api.stack.tableName,
          Key: { pk: `ORG#${s.target.orgId}`, sk: `INVITATION#${s.user}` },
          ConsistentRead: true,
        }),
      );
      taskToken = waiting.Item?.task_token as string | undefined;
      if (!taskToken) await new Promise((r) => setTimeout(r, 50));
    }
    expect(taskToken).toEqual(expect.any(String));
    await acceptFromMail(api, s.user);
    await waitFor(api, s.user, id, finished);

    const requestLines = lines.filter((l) => l.includes('"message":"request"'));
    expect(requestLines.length).toBeGreaterThanOrEqual(5); // logging was on: the check below means something
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(line).not.toContain(revoked);
      expect(line).not.toContain(jwt.split('.')[1]!);
      expect(line.toLowerCase()).not.toContain('bearer');
      expect(line).not.toContain(taskToken!);
    }
  });

  it('the invitation page runs only its own scripts, by nonce, and talks only to the API and the identity provider', async () => {
    const org = await orgWithAdmin(api, 'page');
    const who = api.email('pagereader');
    await invite(api, org, [who]);
    for (const path of [`/invitations/${await tokenFromMail(api, who)}`, '/auth/callback?code=x&state=y']) {
      const page = await api.call('GET', path);
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).toMatch(/script-src 'nonce-[A-Za-z0-9+/=]+';/);
      expect(csp).not.toMatch(/\*|'unsafe-inline'|'unsafe-eval'/);
      // The only origins named: the identity provider's, for discovery and the token endpoint.
      expect(csp).toContain(`connect-src 'self' ${new URL(api.stack.issuer).origin};`);
      expect(csp.match(/https?:\/\/[^\s;]+/g)).toEqual([new URL(api.stack.issuer).origin]);
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      expect(page.headers.get('x-frame-options') ?? csp).toMatch(/DENY|frame-ancestors 'none'/);
      // Scripts come from this origin's /assets/ with the nonce; nothing loads from elsewhere.
      for (const src of page.text.matchAll(/<script[^>]+src="([^"]+)"/g))
        expect(src[1]).toMatch(/^\/assets\/[a-z-]+\.js$/);
      expect(page.text).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']https?:/);
    }
    const script = await api.call('GET', '/assets/invitation.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await api.call('GET', '/assets/..%2fpackage.json')).status).toBe(404);
  });

  it('an unknown token and a revoked one get the same 404', async () => {
    const org = await orgWithAdmin(api, 'same404');
    const who = api.email('gone');
    await invite(api, org, [who]);
    const token = await tokenFromMail(api, who);
    await api.call('DELETE', `/api/v1/organizations/${org.orgId}/invitations/${token}`, { as: org.admin });
    const revoked = await api.call('GET', `/api/v1/organizations/invitations/${token}`);
    const unknown = await api.call('GET', `/api/v1/organizations/invitations/${'A'.repeat(43)}`);
    expect(revoked.status).toBe(404);
    expect(revoked.body).toEqual(unknown.body);
  });
});
