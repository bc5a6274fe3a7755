/**
 * A real SAML 2.0 identity provider for this machine, so SSO sign-in works without Okta: SP-initiated AuthnRequests
 * arrive with the HTTP-Redirect binding (`GET /sso?SAMLRequest=…&RelayState=…`, or a POST form), a page lists the
 * local users to sign in as (and adds or edits them), and the chosen user's Response goes back with the HTTP-POST
 * binding to the request's `AssertionConsumerServiceURL`, through an auto-submitting form.
 *
 * - The Assertion is signed by xml-crypto (the library @node-saml/node-saml verifies with) as Okta and Entra ID sign:
 *   enveloped, exclusive c14n, rsa-sha256. The XML around it is a fixed template of escaped values (`xmlEscape`).
 * - The key and its self-signed certificate (`selfsigned`, Node's WebCrypto; no openssl needed) are made at start, or
 *   kept in `keyFile` (with `--data`), so an organization configured with this certificate keeps working.
 * - Users live in a small JSON file read at every request, like the DNS server's records, so `npm run saml-idp -- set …`
 *   (another process) and the page change the next sign-in at once.
 *
 * Like the OpenID Connect provider's page, anyone who can reach it can be anyone, and it posts to whatever ACS the
 * request names: it is for this machine only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import selfsigned from 'selfsigned';
import { SignedXml } from 'xml-crypto';
import { xmlEscape } from '../functions/idp/metadata.ts';
import { attr, children, parseXml, SAML, SAMLP, text } from '../functions/sso/saml-xml.ts';
import { escapeHtml, newNonce, page, readBody, send } from './html-page.ts';
import { readJsonFile, writeJsonFile } from './json-file.ts';

export interface SamlIdpUser {
  email: string;
  /** The persistent NameID: opaque and stable (by default derived from the email). */
  nameId: string;
  name?: string;
  groups: string[];
}

export interface SamlIdpUsers {
  list(): SamlIdpUser[];
  set(user: SamlIdpUserInput): SamlIdpUser;
  /** False when there was no such user. */
  delete(email: string): boolean;
}

export type SamlIdpUserInput = { email: string; nameId?: string; name?: string; groups?: string[] };

export interface SamlLoginResponse {
  /** Where the Response is posted (the AuthnRequest's AssertionConsumerServiceURL). */
  acsUrl: string;
  /** The `SAMLResponse` form field: base64 of the Response XML. */
  samlResponse: string;
  relayState: string | undefined;
}

export interface RunningSamlIdp {
  url: string;
  /** The IdP's entity id: `<url>/metadata`. */
  issuer: string;
  /** Single sign-on service, HTTP-Redirect and HTTP-POST bindings. */
  ssoUrl: string;
  certificatePem: string;
  metadataXml: string;
  usersFile: string;
  users: SamlIdpUsers;
  /** What choosing `email` on the page answers to `samlRequest` (Redirect- or POST-binding encoded). */
  respond(samlRequest: string, relayState: string | undefined, email: string): Promise<SamlLoginResponse>;
  stop(): Promise<void>;
}

export interface SamlIdpOptions {
  port: number;
  host?: string;
  /** The users, kept in this file; a scratch file removed at stop when absent. */
  usersFile?: string;
  /** Delete the users file at stop (a stack whose data lives in memory). */
  removeAtStop?: boolean;
  /** The signing key and certificate (JSON `{ key, cert }` in PEM), created there on first use; fresh when absent. */
  keyFile?: string;
}

const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const HTTP_POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const HTTP_REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
const BASIC = 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const MINUTE = 60_000;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;
const MAX_REQUEST_CHARS = 64 * 1024;

/** A user's NameID when none is given: stable across restarts and machines, opaque like Okta's. */
export const defaultNameId = (email: string): string =>
  `idp-${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 24)}`;

/** Comma-separated group names (a name may hold spaces, as Entra's display names do), trimmed, without repeats. */
export const parseGroups = (text: string): string[] => [
  ...new Set(
    text
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean),
  ),
];

// ——— users, in a JSON file ———

export function readUsers(file: string): SamlIdpUser[] {
  const parsed = readJsonFile(file) as { users?: unknown } | undefined;
  const users = Array.isArray(parsed?.users) ? (parsed.users as SamlIdpUser[]) : [];
  return users.filter((u) => typeof u?.email === 'string' && typeof u.nameId === 'string');
}

const sameEmail = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Adds or replaces a user (by email, any case); a missing name or nameId keeps the one it had. */
export function setUser(file: string, input: SamlIdpUserInput): SamlIdpUser {
  const email = input.email.trim();
  if (!EMAIL.test(email)) throw new Error(`"${input.email}" is not an email address, such as dev@acme.test.`);
  const groups = (input.groups ?? []).map((g) => g.trim()).filter(Boolean);
  if (groups.length > 100 || groups.some((g) => g.length > 200))
    throw new Error('At most 100 groups of at most 200 characters each.');
  const name = input.name?.trim().slice(0, 200);
  const nameId = input.nameId?.trim();
  if (nameId !== undefined && !/^[A-Za-z0-9_.:@-]{1,128}$/.test(nameId))
    throw new Error('A NameID is 1 to 128 letters, digits or _.:@-');
  const users = readUsers(file);
  const known = users.find((u) => sameEmail(u.email, email));
  const user: SamlIdpUser = {
    email,
    nameId: nameId || known?.nameId || defaultNameId(email),
    ...(name ? { name } : name === undefined && known?.name ? { name: known.name } : {}),
    groups: [...new Set(groups)],
  };
  const rest = users.filter((u) => !sameEmail(u.email, email));
  writeJsonFile(file, { users: [...rest, user].sort((a, b) => a.email.localeCompare(b.email)) });
  return user;
}

export function deleteUser(file: string, email: string): boolean {
  const users = readUsers(file);
  const rest = users.filter((u) => !sameEmail(u.email, email));
  if (rest.length === users.length) return false;
  writeJsonFile(file, { users: rest });
  return true;
}

// ——— the key and certificate ———

interface IdpKey {
  key: string;
  cert: string;
}

async function loadOrCreateKey(file: string | undefined): Promise<IdpKey> {
  const kept = file ? (readJsonFile(file) as Partial<IdpKey> | undefined) : undefined;
  if (kept?.key && kept.cert) return { key: kept.key, cert: kept.cert };
  const now = Date.now();
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'local-saml-idp' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 24 * 60 * MINUTE),
    notAfterDate: new Date(now + 10 * 365 * 24 * 60 * MINUTE),
  });
  const created = { key: pems.private, cert: pems.cert };
  if (file) writeJsonFile(file, created);
  return created;
}

/** The certificate's base64 body, as metadata and KeyInfo carry it. */
const certificateBody = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

// ——— the AuthnRequest ———

export interface AuthnRequest {
  id: string;
  /** The SP's entity id: the audience of the assertion. */
  issuer: string;
  acsUrl: string;
}

export class BadAuthnRequest extends Error {
  override readonly name = 'BadAuthnRequest';
}

/** The `SAMLRequest` parameter's XML: base64 of deflated XML (HTTP-Redirect) or of the XML itself (HTTP-POST). */
export function decodeSamlRequest(samlRequest: string): string {
  if (samlRequest.length > MAX_REQUEST_CHARS) throw new BadAuthnRequest('The SAMLRequest is too large.');
  const bytes = Buffer.from(samlRequest, 'base64');
  const plain = bytes.toString('utf8').trimStart();
  if (plain.startsWith('<')) return plain;
  try {
    return inflateRawSync(bytes, { maxOutputLength: MAX_REQUEST_CHARS }).toString('utf8');
  } catch {
    throw new BadAuthnRequest('The SAMLRequest is neither deflated nor plain base64 XML.');
  }
}

export function parseAuthnRequest(samlRequest: string): AuthnRequest {
  const root = parseXml(decodeSamlRequest(samlRequest));
  if (root?.localName !== 'AuthnRequest' || root.namespaceURI !== SAMLP)
    throw new BadAuthnRequest('The SAMLRequest is not a SAML 2.0 AuthnRequest.');
  const id = attr(root, 'ID');
  const issuer = text(children(root, SAML, 'Issuer')[0]);
  const acsUrl = attr(root, 'AssertionConsumerServiceURL');
  const binding = attr(root, 'ProtocolBinding');
  if (!id) throw new BadAuthnRequest('The AuthnRequest has no ID.');
  if (!issuer) throw new BadAuthnRequest('The AuthnRequest has no Issuer (the service provider).');
  if (!acsUrl || !/^https?:$/.test(URL.parse(acsUrl)?.protocol ?? ''))
    throw new BadAuthnRequest(
      'The AuthnRequest names no AssertionConsumerServiceURL (http or https); this IdP knows no SP metadata to look an index up in.',
    );
  if (binding !== undefined && binding !== HTTP_POST)
    throw new BadAuthnRequest(`The AuthnRequest asks for ${binding}; this IdP answers with HTTP-POST only.`);
  return { id, issuer, acsUrl };
}

/** What a service provider sends with the HTTP-Redirect binding: base64 of the deflated XML. */
export const encodeRedirectRequest = (xml: string): string =>
  deflateRawSync(Buffer.from(xml, 'utf8')).toString('base64');

// ——— the Response ———

/** An Assertion with an enveloped signature right after its Issuer (exclusive c14n, rsa-sha256, sha256 digest). */
export function signAssertion(xml: string, key: string): string {
  const sig = new SignedXml({
    privateKey: key,
    canonicalizationAlgorithm: EXC_C14N,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  });
  sig.addReference({
    xpath: "/*[local-name(.)='Assertion']",
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', EXC_C14N],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: "/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
  });
  return sig.getSignedXml();
}

const newId = () => `_${randomBytes(20).toString('hex')}`;

export function responseXml(
  idp: { issuer: string; key: string },
  request: AuthnRequest,
  user: SamlIdpUser,
  now = new Date(),
): string {
  const at = (minutes: number) => new Date(now.getTime() + minutes * MINUTE).toISOString();
  const e = xmlEscape;
  const attribute = (name: string, values: string[]) =>
    `<saml:Attribute Name="${e(name)}" NameFormat="${BASIC}">${values.map((v) => `<saml:AttributeValue>${e(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
  const assertion = [
    `<saml:Assertion xmlns:saml="${SAML}" ID="${newId()}" Version="2.0" IssueInstant="${at(0)}">`,
    `<saml:Issuer>${e(idp.issuer)}</saml:Issuer>`,
    '<saml:Subject>',
    `<saml:NameID Format="${PERSISTENT}">${e(user.nameId)}</saml:NameID>`,
    `<saml:SubjectConfirmation Method="${BEARER}">`,
    `<saml:SubjectConfirmationData InResponseTo="${e(request.id)}" NotOnOrAfter="${at(5)}" Recipient="${e(request.acsUrl)}"/>`,
    '</saml:SubjectConfirmation>',
    '</saml:Subject>',
    `<saml:Conditions NotBefore="${at(-1)}" NotOnOrAfter="${at(5)}">`,
    `<saml:AudienceRestriction><saml:Audience>${e(request.issuer)}</saml:Audience></saml:AudienceRestriction>`,
    '</saml:Conditions>',
    `<saml:AuthnStatement AuthnInstant="${at(0)}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
    '<saml:AttributeStatement>',
    attribute('email', [user.email]),
    user.name ? attribute('name', [user.name]) : '',
    attribute('groups', user.groups),
    '</saml:AttributeStatement>',
    '</saml:Assertion>',
  ].join('');
  return [
    `<samlp:Response xmlns:samlp="${SAMLP}" xmlns:saml="${SAML}" ID="${newId()}" Version="2.0" IssueInstant="${at(0)}"`,
    ` Destination="${e(request.acsUrl)}" InResponseTo="${e(request.id)}">`,
    `<saml:Issuer>${e(idp.issuer)}</saml:Issuer>`,
    `<samlp:Status><samlp:StatusCode Value="${SUCCESS}"/></samlp:Status>`,
    signAssertion(assertion, idp.key),
    '</samlp:Response>',
  ].join('');
}

export function idpMetadataXml(issuer: string, ssoUrl: string, certificatePem: string): string {
  const e = xmlEscape;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${e(issuer)}">`,
    '  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">',
    '    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data>',
    `      <ds:X509Certificate>${certificateBody(certificatePem)}</ds:X509Certificate>`,
    '    </ds:X509Data></ds:KeyInfo></md:KeyDescriptor>',
    `    <md:NameIDFormat>${PERSISTENT}</md:NameIDFormat>`,
    `    <md:SingleSignOnService Binding="${HTTP_REDIRECT}" Location="${e(ssoUrl)}"/>`,
    `    <md:SingleSignOnService Binding="${HTTP_POST}" Location="${e(ssoUrl)}"/>`,
    '  </md:IDPSSODescriptor>',
    '</md:EntityDescriptor>',
    '',
  ].join('\n');
}

// ——— the server ———

export async function startLocalSamlIdp(opts: SamlIdpOptions): Promise<RunningSamlIdp> {
  const host = opts.host ?? '127.0.0.1';
  const scratch = opts.usersFile ? undefined : mkdtempSync(join(tmpdir(), 'saml-idp-'));
  const usersFile = opts.usersFile ?? join(scratch!, 'users.json');
  const { key, cert } = await loadOrCreateKey(opts.keyFile);

  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', (e: Error) => fail(new Error(`local SAML IdP on port ${opts.port}: ${e.message}`)));
    server.listen(opts.port, host, () => ok());
  });
  const port = (server.address() as { port: number }).port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const issuer = `${url}/metadata`;
  const ssoUrl = `${url}/sso`;
  const metadataXml = idpMetadataXml(issuer, ssoUrl, cert);

  const users: SamlIdpUsers = {
    list: () => readUsers(usersFile),
    set: (user) => setUser(usersFile, user),
    delete: (email) => deleteUser(usersFile, email),
  };
  const respond = async (samlRequest: string, relayState: string | undefined, email: string) => {
    const request = parseAuthnRequest(samlRequest);
    const user = users.list().find((u) => sameEmail(u.email, email));
    if (!user) throw new BadAuthnRequest(`There is no user ${email}: add them first.`);
    const xml = responseXml({ issuer, key }, request, user);
    return { acsUrl: request.acsUrl, samlResponse: Buffer.from(xml, 'utf8').toString('base64'), relayState };
  };

  const pages = new Pages({ issuer, metadataXml, ssoUrl, url, users, respond });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    pages.handle(req, res).catch((e: Error) => {
      const status = e instanceof BadAuthnRequest || e instanceof UserInputError ? 400 : 500;
      const p = page(
        'Sign-in error',
        `<h1>Sign-in could not continue</h1><p id="error" role="alert">${escapeHtml(e.message)}</p><p><a href="/">The local SAML identity provider's users</a></p>`,
        newNonce(),
      );
      send(res, status, p.headers, p.body);
    });
  });

  return {
    url,
    issuer,
    ssoUrl,
    certificatePem: cert,
    metadataXml,
    usersFile,
    users,
    respond,
    stop: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => {
          if (scratch) rmSync(scratch, { recursive: true, force: true });
          else if (opts.removeAtStop) rmSync(usersFile, { force: true });
          ok();
        });
      }),
  };
}

class UserInputError extends Error {}

const STYLE =
  'table{border-collapse:collapse;width:100%;margin-top:1rem}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}td form{display:inline}td button{margin:0 .4rem 0 0;padding:.3rem .7rem}dt{font-weight:600}dd{margin:0 0 .5rem;overflow-wrap:anywhere}.danger{background:#a8071a}code{overflow-wrap:anywhere}';

interface PagesContext {
  issuer: string;
  metadataXml: string;
  ssoUrl: string;
  url: string;
  users: SamlIdpUsers;
  respond: RunningSamlIdp['respond'];
}

/** The IdP's routes: `/` (users), `/users` and `/users/delete` (forms), `/sso`, `/sso/respond`, `/metadata`. */
class Pages {
  constructor(private readonly ctx: PagesContext) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = new URL(req.url ?? '/', this.ctx.url);
    const route = `${req.method} ${at.pathname}`;
    const form =
      req.method === 'POST'
        ? new URLSearchParams(await readBody(req, 4 * MAX_REQUEST_CHARS))
        : at.searchParams;
    switch (route) {
      case 'GET /metadata':
        return send(
          res,
          200,
          { 'content-type': 'application/samlmetadata+xml; charset=utf-8' },
          this.ctx.metadataXml,
        );
      case 'GET /':
        return this.home(res, at.searchParams.get('edit') ?? undefined);
      case 'GET /sso':
      case 'POST /sso':
        return this.picker(res, form);
      case 'POST /sso/respond':
        return this.autoPost(res, form);
      case 'POST /users':
        return this.saveUser(res, form);
      case 'POST /users/delete':
        this.ctx.users.delete(form.get('email') ?? '');
        return redirect(res, backTo(form));
      default: {
        const p = page('Not found', '<h1>Not found</h1><p><a href="/">Users</a></p>', newNonce());
        return send(res, 404, p.headers, p.body);
      }
    }
  }

  private home(res: ServerResponse, edit: string | undefined, error?: string): void {
    const { issuer, ssoUrl } = this.ctx;
    const editing = edit ? this.ctx.users.list().find((u) => sameEmail(u.email, edit)) : undefined;
    const main = `<h1>Local SAML identity provider</h1>
<p class="note">For this machine only: no passwords, anyone who can open this page can sign in as any user below.</p>
<dl>
  <dt>Entity id (issuer)</dt><dd><code>${escapeHtml(issuer)}</code></dd>
  <dt>Single sign-on URL (HTTP-Redirect and HTTP-POST)</dt><dd><code>${escapeHtml(ssoUrl)}</code></dd>
  <dt>Metadata, with the signing certificate</dt><dd><a href="/metadata">${escapeHtml(issuer)}</a></dd>
</dl>
<h2>Users</h2>
${this.usersTable({ back: '/' })}
${userForm({ back: '/', ...(editing ? { user: editing } : {}), ...(error ? { error } : {}) })}`;
    const p = page('Users', main, newNonce(), { style: STYLE, width: '48rem' });
    send(res, error ? 400 : 200, p.headers, p.body);
  }

  /** The users, each with its actions: "Sign in as" when answering a request, else Edit and Delete. */
  private usersTable(opts: {
    back: string;
    request?: { samlRequest: string; relayState: string | undefined };
  }) {
    const list = this.ctx.users.list();
    if (list.length === 0) return '<p id="no-users">No users yet: add one below.</p>';
    const rows = list.map((u) => {
      const email = escapeHtml(u.email);
      const actions = opts.request
        ? `<form method="post" action="/sso/respond">${hidden('SAMLRequest', opts.request.samlRequest)}${opts.request.relayState === undefined ? '' : hidden('RelayState', opts.request.relayState)}${hidden('email', u.email)}<button type="submit">Sign in as ${email}</button></form>`
        : `<a href="/?edit=${encodeURIComponent(u.email)}">Edit ${email}</a>
<form method="post" action="/users/delete">${hidden('email', u.email)}${hidden('back', opts.back)}<button type="submit" class="danger">Delete ${email}</button></form>`;
      return `<tr><td>${email}</td><td>${escapeHtml(u.name ?? '')}</td><td>${u.groups.map(escapeHtml).join(', ')}</td><td><code>${escapeHtml(u.nameId)}</code></td><td>${actions}</td></tr>`;
    });
    return `<table><caption class="note">Users of this identity provider</caption>
<thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Groups</th><th scope="col">NameID</th><th scope="col">Actions</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
  }

  private picker(res: ServerResponse, form: URLSearchParams, error?: string): void {
    const samlRequest = form.get('SAMLRequest');
    if (!samlRequest)
      throw new BadAuthnRequest('No SAMLRequest: start the sign-in from the service provider.');
    const relayState = form.get('RelayState') ?? undefined;
    const request = parseAuthnRequest(samlRequest);
    const back = `/sso?${new URLSearchParams({ SAMLRequest: samlRequest, ...(relayState === undefined ? {} : { RelayState: relayState }) })}`;
    const main = `<h1>Sign in to ${escapeHtml(request.issuer)}</h1>
<p class="note">Local SAML identity provider: choose who you are. The response goes to <code>${escapeHtml(request.acsUrl)}</code>.</p>
<h2>Choose a user</h2>
${this.usersTable({ back, request: { samlRequest, relayState } })}
${userForm({ back, ...(error ? { error } : {}) })}`;
    const p = page(`Sign in to ${request.issuer}`, main, newNonce(), { style: STYLE, width: '48rem' });
    send(res, error ? 400 : 200, p.headers, p.body);
  }

  private async autoPost(res: ServerResponse, form: URLSearchParams): Promise<void> {
    const answer = await this.ctx.respond(
      form.get('SAMLRequest') ?? '',
      form.get('RelayState') ?? undefined,
      form.get('email') ?? '',
    );
    const acsOrigin = new URL(answer.acsUrl).origin;
    const main = `<h1>Signing you in</h1>
<p>Sending the response to <code>${escapeHtml(answer.acsUrl)}</code>.</p>
<form id="saml-response" method="post" action="${escapeHtml(answer.acsUrl)}">
${hidden('SAMLResponse', answer.samlResponse)}${answer.relayState === undefined ? '' : hidden('RelayState', answer.relayState)}
<button type="submit">Continue</button>
</form>`;
    const p = page('Signing you in', main, newNonce(), {
      // form-action also governs the redirects after the post: the ACS sends the browser on to the service's
      // sign-in provider (another origin) and back to the app, so any http(s) target is allowed, as on a real IdP.
      formTarget: `${acsOrigin} http: https:`,
      script: "document.getElementById('saml-response').submit();",
    });
    send(res, 200, p.headers, p.body);
  }

  private saveUser(res: ServerResponse, form: URLSearchParams): void {
    const back = backTo(form);
    try {
      this.ctx.users.set({
        email: form.get('email') ?? '',
        name: form.get('name') ?? '',
        groups: parseGroups(form.get('groups') ?? ''),
      });
    } catch (e) {
      const error = (e as Error).message;
      if (back === '/') this.home(res, undefined, error);
      else this.picker(res, new URL(back, this.ctx.url).searchParams, error);
      return;
    }
    redirect(res, back);
  }
}

const hidden = (name: string, value: string) =>
  `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;

/** Where a form goes back to: this IdP's users page or its sign-in page, never elsewhere. */
const backTo = (form: URLSearchParams) => {
  const back = form.get('back') ?? '/';
  return back.startsWith('/sso?') ? back : '/';
};

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store' });
  res.end();
}

function userForm(opts: { back: string; user?: SamlIdpUser; error?: string }): string {
  const u = opts.user;
  return `<h2>${u ? `Edit ${escapeHtml(u.email)}` : 'Add or edit a user'}</h2>
${opts.error ? `<p id="error" role="alert">${escapeHtml(opts.error)}</p>` : ''}
<form method="post" action="/users">
  ${hidden('back', opts.back)}
  <label for="user-email">Email address</label>
  <input id="user-email" name="email" type="email" required autocomplete="off" value="${escapeHtml(u?.email ?? '')}">
  <label for="user-name">Name</label>
  <input id="user-name" name="name" type="text" autocomplete="off" value="${escapeHtml(u?.name ?? '')}">
  <label for="user-groups">Groups, comma-separated</label>
  <input id="user-groups" name="groups" type="text" autocomplete="off" aria-describedby="groups-note" value="${escapeHtml(u?.groups.join(', ') ?? '')}">
  <p id="groups-note" class="note">Saving an address that exists replaces its name and groups.</p>
  <button type="submit">Save user</button>
</form>`;
}
