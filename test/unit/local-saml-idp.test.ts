/**
 * The local SAML identity provider (`local/saml-idp.ts`), started on its own on a free port: its Responses are accepted
 * by our verifier, a tampered one is not, its pages escape what they show and answer a real AuthnRequest with a form
 * posting to the ACS, and `npm run saml-idp` edits the users it signs in.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySamlResponse } from '../../functions/sso/assertion.ts';
import { type RunningSamlIdp, startLocalSamlIdp } from '../../local/saml-idp.ts';
import { authnRequestForTests, SP } from '../support/saml.ts';

let idp: RunningSamlIdp;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'saml-idp-test-'));
  idp = await startLocalSamlIdp({ port: 0, usersFile: join(dir, 'users.json') });
});
afterAll(async () => {
  await idp?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const verify = (samlResponse: string, expectedInResponseTo: string) =>
  verifySamlResponse({
    samlResponse,
    idp: { issuer: idp.issuer, certificates: [idp.certificatePem] },
    sp: SP,
    expectedInResponseTo,
    now: new Date(),
  });

describe('Responses', () => {
  it('are accepted by our verifier, with the user as set now; changing their groups changes the next one', async () => {
    const user = idp.users.set({ email: 'dev@acme.test', name: 'Dev One', groups: ['engineers', 'admins'] });
    expect(user.nameId).toMatch(/^idp-[0-9a-f]{24}$/);
    const request = authnRequestForTests();
    const answer = await idp.respond(request.samlRequest, 'state-1', 'dev@acme.test');
    expect(answer).toMatchObject({ acsUrl: SP.acsUrl, relayState: 'state-1' });
    const identity = await verify(answer.samlResponse, request.id);
    expect(identity).toMatchObject({
      nameId: user.nameId,
      nameIdFormat: 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent',
      email: 'dev@acme.test',
      groups: ['engineers', 'admins'],
    });

    idp.users.set({ email: 'DEV@acme.test', groups: ['viewers'] });
    const next = authnRequestForTests();
    const again = await verify(
      (await idp.respond(next.samlRequest, undefined, 'dev@acme.test')).samlResponse,
      next.id,
    );
    expect(again).toMatchObject({ nameId: user.nameId, groups: ['viewers'] });
    expect(idp.users.list()).toEqual([
      { email: 'DEV@acme.test', nameId: user.nameId, name: 'Dev One', groups: ['viewers'] },
    ]);
  });

  it('carry every value escaped, and a tampered one is refused', async () => {
    idp.users.set({ email: 'o.brien@acme.test', name: `O'Brien <&> "x"`, groups: ['R&D', '<admins>'] });
    const request = authnRequestForTests();
    const { samlResponse } = await idp.respond(request.samlRequest, undefined, 'o.brien@acme.test');
    expect((await verify(samlResponse, request.id)).groups).toEqual(['R&D', '<admins>']);

    const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
    expect(xml).toContain('<saml:AttributeValue>o.brien@acme.test</saml:AttributeValue>');
    const tampered = xml.replace(
      '<saml:AttributeValue>o.brien@acme.test</saml:AttributeValue>',
      '<saml:AttributeValue>ceo@acme.test</saml:AttributeValue>',
    );
    await expect(verify(Buffer.from(tampered).toString('base64'), request.id)).rejects.toMatchObject({
      reason: 'signature',
    });
    await expect(verify(samlResponse, '_another-request')).rejects.toMatchObject({
      reason: 'in_response_to',
    });
  });

  it('are refused for unknown users and for requests without an ACS URL', async () => {
    const request = authnRequestForTests();
    await expect(idp.respond(request.samlRequest, undefined, 'nobody@acme.test')).rejects.toThrow(/no user/);
    const bad = Buffer.from(
      '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x"/>',
    );
    await expect(idp.respond(bad.toString('base64'), undefined, 'dev@acme.test')).rejects.toThrow(/Issuer/);
  });
});

describe('metadata', () => {
  it('names the entity id, the signing certificate and both SSO bindings', async () => {
    const res = await fetch(`${idp.url}/metadata`);
    expect(res.status).toBe(200);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/xml');
    const root = doc.documentElement!;
    expect(root.getAttribute('entityID')).toBe(idp.issuer);
    const cert = root.getElementsByTagName('ds:X509Certificate')[0]?.textContent;
    expect(idp.certificatePem.replace(/-----[^-]+-----|\s/g, '')).toBe(cert);
    const sso = Array.from(root.getElementsByTagName('md:SingleSignOnService'));
    expect(sso.map((s) => [s.getAttribute('Binding')?.split(':').pop(), s.getAttribute('Location')])).toEqual(
      [
        ['HTTP-Redirect', idp.ssoUrl],
        ['HTTP-POST', idp.ssoUrl],
      ],
    );
  });
});

describe('pages', () => {
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual' as const,
  });

  it('escape what people typed, with a strict Content-Security-Policy', async () => {
    const saved = await fetch(
      `${idp.url}/users`,
      form({ email: 'mallory@acme.test', name: '<script>alert(1)</script>', groups: '<b>x</b>, ops' }),
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/');
    const home = await fetch(`${idp.url}/`);
    const html = await home.text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;, ops');
    expect(html).not.toContain('<script>alert(1)');
    expect(home.headers.get('content-security-policy')).toMatch(/^default-src 'none';/);
    expect(home.headers.get('content-security-policy')).not.toContain('script-src');
    expect(idp.users.list().find((u) => u.email === 'mallory@acme.test')?.groups).toEqual([
      '<b>x</b>',
      'ops',
    ]);

    const refused = await fetch(`${idp.url}/users`, form({ email: 'not an address', name: '<i>' }));
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/role="alert">&quot;not an address&quot; is not an email address/);
  });

  it('list the users for a real AuthnRequest, and choosing one posts the Response and RelayState to the ACS', async () => {
    idp.users.set({ email: 'picker@acme.test', groups: ['engineers'] });
    const request = authnRequestForTests();
    const query = new URLSearchParams({ SAMLRequest: request.samlRequest, RelayState: 'r<1>' });
    const picker = await fetch(`${idp.ssoUrl}?${query}`);
    expect(picker.status).toBe(200);
    const html = await picker.text();
    expect(html).toContain(`<h1>Sign in to ${SP.entityId}</h1>`);
    expect(html).toContain('Sign in as picker@acme.test</button>');
    expect(html).toContain('<label for="user-groups">');

    // A user added from the sign-in page comes back to it.
    const added = await fetch(
      `${idp.url}/users`,
      form({ email: 'new@acme.test', groups: 'a', back: `/sso?${query}` }),
    );
    expect(added.headers.get('location')).toBe(`/sso?${query}`);

    const chosen = await fetch(
      `${idp.url}/sso/respond`,
      form({ SAMLRequest: request.samlRequest, RelayState: 'r<1>', email: 'picker@acme.test' }),
    );
    expect(chosen.status).toBe(200);
    const csp = chosen.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(csp).toContain(`form-action 'self' ${new URL(SP.acsUrl).origin}`);
    const post = await chosen.text();
    expect(post).toContain(`<form id="saml-response" method="post" action="${SP.acsUrl}">`);
    expect(post).toContain('<input type="hidden" name="RelayState" value="r&lt;1&gt;">');
    expect(post).toContain(`<script nonce="${nonce}">`);
    expect(post).toContain('<button type="submit">Continue</button>');
    const samlResponse = /name="SAMLResponse" value="([^"]+)"/.exec(post)?.[1] ?? '';
    expect((await verify(samlResponse, request.id)).email).toBe('picker@acme.test');
  });

  it('say what is wrong with a request that is not an AuthnRequest', async () => {
    const res = await fetch(
      `${idp.ssoUrl}?SAMLRequest=${encodeURIComponent(Buffer.from('<x/>').toString('base64'))}`,
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('not a SAML 2.0 AuthnRequest');
  });
});

describe('npm run saml-idp', () => {
  const ROOT = resolve(import.meta.dirname, '../..');
  const TSX = createRequire(import.meta.url).resolve('tsx');
  const cli = (cwd: string, ...args: string[]) =>
    spawnSync(process.execPath, ['--import', TSX, join(ROOT, 'local/saml-idp-cli.ts'), ...args], {
      cwd,
      encoding: 'utf8',
    });

  it('sets, lists and deletes the running IdP’s users, which its next Response carries', async () => {
    const cwd = join(dir, 'cli');
    mkdirSync(join(cwd, '.local'), { recursive: true });
    writeFileSync(
      join(cwd, '.local/endpoints.json'),
      JSON.stringify({
        pid: process.pid,
        startedAt: '',
        samlIdp: { url: idp.url, usersFile: idp.usersFile },
      }),
    );
    const set = cli(cwd, 'set', 'cli@acme.test', '--groups', 'engineers, admins', '--name', 'Cli User');
    expect(set.status, set.stderr).toBe(0);
    expect(set.stdout).toMatch(
      /^cli@acme\.test {2}nameId=idp-\w+ {2}name="Cli User" {2}groups=engineers,admins$/m,
    );
    const list = cli(cwd, 'list');
    expect(list.stdout).toContain('cli@acme.test');
    const request = authnRequestForTests();
    const answer = await idp.respond(request.samlRequest, undefined, 'cli@acme.test');
    expect((await verify(answer.samlResponse, request.id)).groups).toEqual(['engineers', 'admins']);

    expect(cli(cwd, 'delete', 'cli@acme.test').status).toBe(0);
    expect(cli(cwd, 'list').stdout).not.toContain('cli@acme.test');
    const again = cli(cwd, 'delete', 'cli@acme.test');
    expect(again.status).toBe(1);
    expect(cli(cwd, 'set', 'not-an-address').status).toBe(2);
  }, 60_000); // spawns the CLI three times: seconds each on a busy machine
});
