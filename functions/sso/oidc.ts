/**
 * The SSO bridge as an OpenID Connect provider: what Cognito (in AWS) and the local OpenID Connect provider federate
 * to, so a person who signs in through their organization's SAML IdP comes back to them as an OIDC identity, and the
 * API sees the same claims either way (docs/sso.md, "Where it runs").
 *
 * Authorization code flow only, for registered confidential clients (`SSO_CLIENTS`: id, SHA-256 of the secret, exact
 * redirect URIs), PKCE (S256) when the client sends it. `authorize` finds the organization from the person's address
 * (its verified domain) or from its login identifier, and sends them to the IdP with a SAML AuthnRequest (HTTP-Redirect
 * binding); the ACS (`signin.ts`) answers with a one-time code; `token` takes the code once (a conditional delete) and
 * answers an id token and an access token for `userinfo`, signed by the bridge's KMS key (`tokens.ts`).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { canonicalDomain } from '../domains/names.ts';
import { serviceProvider, xmlEscape } from '../idp/metadata.ts';
import { getItem } from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { DomainItem, OrganizationItem, SsoCodeItem, SsoRequestItem } from '../shared/domain.ts';
import { canonicalEmail } from '../shared/email.ts';
import type { HttpResponse } from '../shared/http.ts';
import { ENTITY, keys } from '../shared/table.ts';
import { bridgeClients, bridgeIssuer } from './clients.ts';
import { emailPage, messagePage } from './pages.ts';
import { hashOf } from './signin.ts';
import { publicJwks, signJwt, verifyJwt } from './tokens.ts';

/** How long a person has at their IdP before the sign-in must start again. */
export const REQUEST_TTL_SECONDS = 600;
const TOKEN_SECONDS = 300;

export { bridgeIssuer, discovery } from './clients.ts';
export const jwks = () => publicJwks();

/** `GET …/authorize`: check the client, find the organization, and send the person to its IdP. */
export async function authorize(deps: Deps, params: URLSearchParams): Promise<HttpResponse> {
  const client = bridgeClients().find((c) => c.client_id === params.get('client_id'));
  const redirectUri = params.get('redirect_uri') ?? '';
  // Never redirect to an address the client did not register (nor guess among repeated ones): a page instead.
  const ambiguous = params.getAll('client_id').length > 1 || params.getAll('redirect_uri').length > 1;
  if (ambiguous || !client?.redirect_uris.includes(redirectUri)) {
    return messagePage(
      400,
      'Sign-in link not valid',
      'This sign-in link names an application or a return address this service does not know. Start again from the console.',
    );
  }
  const fail = (error: string, description: string): HttpResponse => {
    const back = new URL(redirectUri);
    back.searchParams.set('error', error);
    back.searchParams.set('error_description', description);
    const state = params.get('state');
    if (state !== null) back.searchParams.set('state', state);
    return { statusCode: 302, headers: { location: back.toString(), 'cache-control': 'no-store' }, body: '' };
  };
  if (params.get('response_type') !== 'code')
    return fail('unsupported_response_type', 'Only response_type=code.');
  if (!(params.get('scope') ?? '').split(' ').includes('openid'))
    return fail('invalid_scope', 'The scope must include openid.');
  // Each parameter at most once (RFC 6749, 3.1): a repeated one is refused, not read one way here and another there.
  const repeated = [...new Set(params.keys())].find((k) => params.getAll(k).length > 1);
  if (repeated) return fail('invalid_request', `The parameter ${repeated} is repeated.`);
  // PKCE when the client sends it (Cognito, federating, does not): S256 over a verifier of 43-128 characters.
  const challenge = params.get('code_challenge') ?? undefined;
  if (challenge !== undefined && params.get('code_challenge_method') !== 'S256')
    return fail('invalid_request', 'PKCE must use code_challenge_method=S256.');
  if (challenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(challenge))
    return fail(
      'invalid_request',
      'code_challenge must be the base64url SHA-256 of the verifier (43 characters).',
    );

  const action = `${bridgeIssuer(deps.publicBaseUrl)}/authorize`;
  const hint = (params.get('login_hint') ?? '').trim();
  if (!hint) return emailPage(action, params);
  const found = await organizationFor(deps, hint);
  if ('problem' in found) return emailPage(action, params, found.problem);
  const org = found.org;

  const id = `_${randomBytes(20).toString('hex')}`;
  const now = deps.now();
  const request: SsoRequestItem = {
    entity: ENTITY.ssoRequest,
    id,
    organization_id: org.id,
    client_id: client.client_id,
    redirect_uri: redirectUri,
    ...(params.get('state') !== null ? { state: params.get('state')! } : {}),
    ...(params.get('nonce') !== null ? { nonce: params.get('nonce')! } : {}),
    ...(challenge ? { code_challenge: challenge } : {}),
    created_at: now.toISOString(),
    ttl: Math.floor(now.getTime() / 1000) + REQUEST_TTL_SECONDS,
  };
  await deps.db.send(
    new PutCommand({
      TableName: deps.table,
      Item: { ...keys.ssoRequest(id), ...request },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  const sp = serviceProvider(deps.publicBaseUrl, org.id);
  const xml = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${xmlEscape(org.idp!.sso_url)}" AssertionConsumerServiceURL="${xmlEscape(sp.acs)}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>${xmlEscape(sp.entityId)}</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent" AllowCreate="true"/></samlp:AuthnRequest>`;
  const to = new URL(org.idp!.sso_url);
  to.searchParams.set('SAMLRequest', deflateRawSync(Buffer.from(xml)).toString('base64'));
  to.searchParams.set('RelayState', id);
  return { statusCode: 302, headers: { location: to.toString(), 'cache-control': 'no-store' }, body: '' };
}

/** The organization whose IdP signs this person in: by the domain of their address, or `org:<login identifier>`. */
async function organizationFor(
  deps: Deps,
  hint: string,
): Promise<{ org: OrganizationItem & { idp: NonNullable<OrganizationItem['idp']> } } | { problem: string }> {
  let org: OrganizationItem | undefined;
  let what: string;
  if (hint.startsWith('org:')) {
    const identifier = hint.slice(4);
    const orgId = /-([A-Za-z0-9_.:]{1,128})$/.exec(identifier)?.[1];
    org = orgId ? await getItem<OrganizationItem>(deps.db, deps.table, keys.organization(orgId)) : undefined;
    if (org?.idp?.login_identifier !== identifier) org = undefined;
    what = `No organization signs in with the identifier ${identifier}.`;
  } else {
    const email = canonicalEmail(hint);
    if (!email) return { problem: `${hint} is not an email address. Enter your work email address.` };
    let domain: string;
    try {
      domain = canonicalDomain(email.slice(email.lastIndexOf('@') + 1));
    } catch {
      return { problem: `${hint} is not an email address. Enter your work email address.` };
    }
    const owner = await getItem<DomainItem>(deps.db, deps.table, keys.domain(domain));
    org =
      owner &&
      (await getItem<OrganizationItem>(deps.db, deps.table, keys.organization(owner.organization_id)));
    what = `No organization signs in addresses at ${domain} through single sign-on. Sign in with your password instead, or ask your administrator.`;
  }
  if (org?.status !== 'open' || !org.idp?.enabled) return { problem: what };
  return { org: org as OrganizationItem & { idp: NonNullable<OrganizationItem['idp']> } };
}

/** An OAuth error answer, with the API's error body beside it. */
export const oauthError = (status: number, error: string, description: string): HttpResponse => ({
  statusCode: status,
  headers: {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  },
  body: JSON.stringify({
    error,
    error_description: description,
    errors: [{ code: `sso.${error}`, message: description }],
  }),
});

/** `POST …/token`: the client proves itself, the code is taken once, and the tokens are signed. */
export async function token(
  deps: Deps,
  form: URLSearchParams,
  authorization?: string,
): Promise<HttpResponse> {
  let clientId = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const at = decoded.indexOf(':');
    if (at > 0) {
      clientId = decodeURIComponent(decoded.slice(0, at));
      secret = decodeURIComponent(decoded.slice(at + 1));
    }
  }
  const client = bridgeClients().find((c) => c.client_id === clientId);
  if (
    !client ||
    secret === undefined ||
    !sameHash(createHash('sha256').update(secret).digest('hex'), client.client_secret_sha256)
  )
    return oauthError(401, 'invalid_client', 'The client is unknown or its secret is wrong.');
  if (form.get('grant_type') !== 'authorization_code')
    return oauthError(400, 'unsupported_grant_type', 'Only grant_type=authorization_code.');
  const code = form.get('code') ?? '';
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(code))
    return oauthError(400, 'invalid_grant', 'The code is not valid.');

  let item: SsoCodeItem | undefined;
  try {
    const out = await deps.db.send(
      new DeleteCommand({
        TableName: deps.table,
        Key: keys.ssoCode(hashOf(code)),
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_OLD',
      }),
    );
    item = out.Attributes as SsoCodeItem | undefined;
  } catch (e) {
    if ((e as Error).name !== 'ConditionalCheckFailedException') throw e;
  }
  const now = deps.now();
  if (!item || item.expires_at <= now.toISOString())
    return oauthError(400, 'invalid_grant', 'The code was already used, has expired or was never issued.');
  if (item.client_id !== client.client_id || item.redirect_uri !== form.get('redirect_uri'))
    return oauthError(400, 'invalid_grant', 'The code was issued to another client or redirect URI.');
  if (item.code_challenge) {
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== item.code_challenge)
      return oauthError(400, 'invalid_grant', 'The PKCE code verifier does not match.');
  }
  const issuer = bridgeIssuer(deps.publicBaseUrl);
  const claims = { iss: issuer, ...item.claims, auth_time: Math.floor(now.getTime() / 1000) };
  const [idToken, accessToken] = await Promise.all([
    signJwt(
      { ...claims, aud: client.client_id, ...(item.nonce ? { nonce: item.nonce } : {}) },
      {
        expiresInSeconds: TOKEN_SECONDS,
        now,
      },
    ),
    signJwt({ ...claims, aud: `${issuer}/userinfo` }, { expiresInSeconds: TOKEN_SECONDS, now }),
  ]);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache' },
    body: JSON.stringify({
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: TOKEN_SECONDS,
      id_token: idToken,
    }),
  };
}

/** `GET …/userinfo`: the claims of the access token `token` issued. */
export async function userinfo(deps: Deps, authorization?: string): Promise<HttpResponse> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  const issuer = bridgeIssuer(deps.publicBaseUrl);
  try {
    if (!bearer) throw new Error('no token');
    const p = await verifyJwt(bearer, { issuer, audience: `${issuer}/userinfo` });
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify({
        sub: p.sub,
        email: p.email,
        email_verified: p.email_verified,
        ...(p.name ? { name: p.name } : {}),
        sso_org: p.sso_org,
        groups: p.groups,
      }),
    };
  } catch {
    return {
      ...oauthError(401, 'invalid_token', 'Send an access token from this bridge as a bearer token.'),
      headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' },
    };
  }
}

const sameHash = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
