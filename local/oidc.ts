/**
 * The local identity provider: a real OpenID Connect provider (`oidc-provider`, certified) on its own port, with a
 * plain sign-in page (email, name, "email verified", continue). A user is created on first sign-in, with the stable
 * `sub` of `localUserId`. It publishes discovery and JWKS; access tokens for the API are RS256 JWTs (resource
 * indicator `LOCAL_AUDIENCE`) carrying `email`, `email_verified`, `name` and `cognito:groups`, the claims the
 * handlers read and a Cognito user pool puts there (through its pre-token-generation trigger).
 *
 * Clients: `WEB_CLIENT_ID` (public, authorization code + PKCE; redirect URIs `<app>/auth/callback` and
 * `<app>/console/`), and `DEV_TOOLS_CLIENT_ID`, allowed only the local dev-token grant that `npm run token` and the
 * tests use: the same provider, the same key and the same claims as a browser sign-in, without the page. Anyone who
 * can reach this provider can be anyone: it is for this machine only, like the sign-in page that asks no password.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as oauth from 'oauth4webapi';
import Provider, {
  type Account,
  type Configuration,
  errors,
  type KoaContextWithOIDC,
  type ResourceServer,
  type TokenEndpointGrantContext,
} from 'oidc-provider';
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';
import { escapeHtml, page, readBody, send } from './html-page.ts';
import {
  DEV_GRANT_TYPE,
  DEV_TOOLS_CLIENT_ID,
  durationSeconds,
  LOCAL_AUDIENCE,
  localUserId,
  SIGNING_ALG,
  type SigningKey,
  WEB_CLIENT_ID,
} from './jwt.ts';

/** Redirect URIs of the web client under the app's origin (the gateway): the sign-in callback page and the console. */
export const WEB_REDIRECT_PATHS = ['/auth/callback', '/console/'] as const;

const API_SCOPE = 'api';
const ACCESS_TOKEN_TTL = 3600;

interface LocalUser {
  email: string;
  name?: string;
  emailVerified: boolean;
  groups?: string[];
  /** Signed in through the SSO bridge: the organization whose IdP vouched, and the user the bridge decided. */
  sso?: { org: string; sub: string; groups: string[] };
}

/** The SSO bridge this provider federates to, as a Cognito user pool federates to it in AWS (`SSO_CLIENTS`). */
export interface SsoFederation {
  /** The bridge's issuer, `<gateway>/api/v1/sso`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** Where the bridge sends people back to this provider (registered with the bridge as this client's redirect URI). */
export const SSO_CALLBACK_PATH = '/interaction/sso/callback';

export interface OidcOptions {
  port: number;
  host?: string;
  key: SigningKey;
  /** Origin of the pages that sign in (the local gateway): its redirect URIs are registered for the web client. */
  appOrigin: string;
  /** The SSO bridge to offer "Sign in with SSO" through; read when a sign-in uses it. */
  sso?: () => SsoFederation | undefined;
}

export interface RunningOidc {
  issuer: string;
  stop(): Promise<void>;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,}$/;

const apiResource: ResourceServer = {
  scope: API_SCOPE,
  audience: LOCAL_AUDIENCE,
  accessTokenFormat: 'jwt',
  accessTokenTTL: ACCESS_TOKEN_TTL,
  jwt: { sign: { alg: SIGNING_ALG } },
};

// Through the bridge, as the stack's Cognito pre-token trigger puts them: `sso_org` and `sso_sub` (the bridge's `sub`).
const claimsOf = (user: LocalUser) => ({
  email: user.email,
  email_verified: user.emailVerified,
  ...(user.name ? { name: user.name } : {}),
  ...(user.groups?.length ? { 'cognito:groups': user.groups } : {}),
  ...(user.sso ? { sso_org: user.sso.org, sso_sub: user.sso.sub } : {}),
});

export async function startOidcProvider(opts: OidcOptions): Promise<RunningOidc> {
  const host = opts.host ?? '127.0.0.1';
  // Bind first, so the issuer carries the real port when 0 (any free port) was asked for.
  const server: Server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, host, () => ok());
  });
  const port = (server.address() as { port: number }).port;
  const issuer = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  const appOrigin = new URL(opts.appOrigin).origin;

  const users = new Map<string, LocalUser>();
  // Claims fixed by the dev-token request that minted a token, so parallel requests for one address with different
  // options (verified or not) never see each other's.
  const tokenClaims = new WeakMap<object, LocalUser>();

  const configuration: Configuration = {
    // Sessions and codes live in this process on purpose: a restart signs everyone out, nothing to clean up. Passing
    // the provider's own memory adapter explicitly also says so (its default warns that it is for development).
    adapter: createMemoryAdapter(),
    clients: [
      {
        client_id: WEB_CLIENT_ID,
        client_name: 'Organization membership (local)',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: WEB_REDIRECT_PATHS.map((p) => `${appOrigin}${p}`),
        post_logout_redirect_uris: [`${appOrigin}/console/`],
        id_token_signed_response_alg: SIGNING_ALG,
      },
      {
        client_id: DEV_TOOLS_CLIENT_ID,
        client_name: 'npm run token (local only)',
        token_endpoint_auth_method: 'none',
        grant_types: [DEV_GRANT_TYPE],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys: [opts.key.jwk as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The ID token carries email and name: the page shows who signed in without a userinfo call (its access token
    // is for the API, not for userinfo).
    conformIdTokenClaims: false,
    findAccount: (_ctx, sub): Account | undefined => {
      const user = users.get(sub);
      return user ? { accountId: sub, claims: () => ({ sub, ...claimsOf(user) }) } : undefined;
    },
    extraTokenClaims: (_ctx, token) => {
      if (token.kind !== 'AccessToken' || !('accountId' in token) || typeof token.accountId !== 'string')
        return undefined;
      const user = tokenClaims.get(token) ?? users.get(token.accountId);
      return user ? claimsOf(user) : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf ?? LOCAL_AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== LOCAL_AUDIENCE) throw new errors.InvalidTarget();
          return apiResource;
        },
      },
    },
    // Both clients are this project's own: no consent screen, the grant covers what the web client asks for.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, provider } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
      const existing = grantId ? await provider.Grant.find(grantId) : undefined;
      if (existing && existing.accountId === session.accountId) return existing;
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile');
      grant.addResourceScope(LOCAL_AUDIENCE, API_SCOPE);
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Cognito's `identity_provider`: the console's "Sign in with SSO" names the bridge, and the sign-in goes there.
    extraParams: ['identity_provider'],
    pkce: { required: () => true },
    clientBasedCORS: (_ctx, origin, client) =>
      client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false,
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? ACCESS_TOKEN_TTL,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 30 * 60,
      Session: 24 * 3600,
      Grant: 24 * 3600,
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'Sign-in error',
        `<h1>Sign-in could not continue</h1><p>${escapeHtml(String(out.error_description ?? out.error))}</p>`,
        randomBytes(16).toString('base64'),
      ).body;
    },
  };

  const provider = new Provider(issuer, configuration);
  // http on 127.0.0.1 is fine for this machine; a real provider is https.
  provider.proxy = false;

  provider.registerGrantType(
    DEV_GRANT_TYPE,
    async (ctx: TokenEndpointGrantContext<Record<string, string | undefined>>) => {
      const { params, client } = ctx.oidc;
      // As typed, like a real provider's claim: the API normalises and refuses look-alikes (KELVIN SIGN lower-cases
      // to an ASCII k, so lower-casing here would turn a look-alike into the address it imitates).
      const email = String(params.email ?? '');
      if (!EMAIL.test(email)) throw new errors.InvalidRequest('email must be an email address');
      const expiresIn = params.expires_in ? durationSeconds(params.expires_in) : ACCESS_TOKEN_TTL;
      if (expiresIn === undefined || expiresIn === 0)
        throw new errors.InvalidRequest('expires_in must be a duration such as 12h, 30m or -1m');
      const user: LocalUser = {
        email,
        emailVerified: params.email_verified !== 'false',
        ...(params.name ? { name: params.name.slice(0, 200) } : {}),
        ...(params.groups ? { groups: params.groups.split(/[\s,]+/).filter(Boolean) } : {}),
      };
      if (params.sub !== undefined && !/^[A-Za-z0-9_.:@-]{1,128}$/.test(params.sub))
        throw new errors.InvalidRequest('sub must be 1 to 128 letters, digits or _.:@-');
      const sub = params.sub ?? localUserId(email);
      users.set(sub, user);
      // No grant behind it (no consent, no refresh): a JWT access token is never looked up again.
      const token = new ctx.oidc.provider.AccessToken({
        grantId: '',
        accountId: sub,
        client,
        gty: DEV_GRANT_TYPE,
        scope: API_SCOPE,
        expiresIn,
      });
      token.resourceServer = new (
        ctx.oidc.provider as unknown as { ResourceServer: new (id: string, rs: ResourceServer) => never }
      ).ResourceServer(LOCAL_AUDIENCE, apiResource);
      tokenClaims.set(token, user);
      const value = await token.save();
      ctx.body = { access_token: value, token_type: 'Bearer', expires_in: expiresIn, scope: API_SCOPE };
    },
    ['email', 'sub', 'name', 'email_verified', 'groups', 'expires_in', 'resource'],
  );

  const callback = provider.callback();
  const federation = ssoFederation(provider, users, issuer, opts.sso ?? (() => undefined));
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (!path.startsWith('/interaction/')) return void callback(req, res);
    const handled =
      path === SSO_CALLBACK_PATH
        ? federation.callback(req, res)
        : signInPage(provider, users, appOrigin, federation, req, res);
    handled.catch((e: Error) => {
      const nonce = randomBytes(16).toString('base64');
      const p = page(
        'Sign-in error',
        `<h1>Sign-in could not continue</h1><p>${escapeHtml(e.message)}</p><p>Go back to the page you came from and sign in again.</p>`,
        nonce,
      );
      send(res, 400, p.headers, p.body);
    });
  });

  return {
    issuer,
    stop: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** GET shows the form; POST signs in (creating the user the first time) and hands back to the provider. */
async function signInPage(
  provider: Provider,
  users: Map<string, LocalUser>,
  appOrigin: string,
  federation: Federation,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const nonce = randomBytes(16).toString('base64');
  const action = `/interaction/${details.uid}`;
  if (details.prompt.name !== 'login') {
    // Consent is never asked (see loadExistingGrant); anything else is finished as is.
    return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
  }
  let error = '';
  let email = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
  let name = '';
  let verified = true;
  // As Cognito's authorize endpoint with `identity_provider=<the bridge>`: straight on to the bridge, no page here.
  if (req.method === 'GET' && details.params.identity_provider === 'sso')
    return federation.start(res, details.uid, email);
  if (req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    if (form.get('sso') === '1') return federation.start(res, details.uid, (form.get('email') ?? '').trim());
    email = (form.get('email') ?? '').trim(); // not lower-cased: see the dev-token grant
    name = (form.get('name') ?? '').trim().slice(0, 200);
    verified = form.get('email_verified') === 'on';
    if (EMAIL.test(email)) {
      const sub = localUserId(email);
      const known = users.get(sub);
      users.set(sub, {
        email,
        emailVerified: verified,
        ...(name ? { name } : known?.name ? { name: known.name } : {}),
        ...(known?.groups ? { groups: known.groups } : {}),
      });
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: sub } },
        { mergeWithLastSubmission: false },
      );
    }
    error = 'Type an email address, such as alice@example.com.';
  }
  const client = await provider.Client.find(String(details.params.client_id));
  const p = page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="note">Local identity provider: no password. The address you type is who you are${client?.clientName ? ` in <strong>${escapeHtml(client.clientName)}</strong>` : ''}.</p>
${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
  <label for="email">Email address</label>
  <input id="email" name="email" type="email" autocomplete="email" required autofocus value="${escapeHtml(email)}">
  <label for="name">Name</label>
  <input id="name" name="name" type="text" autocomplete="name" value="${escapeHtml(name)}">
  <label class="check"><input id="email_verified" name="email_verified" type="checkbox"${verified ? ' checked' : ''}> The email address is verified</label>
  <button type="submit">Continue</button>
  <button type="submit" name="sso" value="1" formnovalidate>Sign in with SSO</button>
</form>`,
    nonce,
    { formTarget: appOrigin },
  );
  send(res, error ? 400 : 200, p.headers, p.body);
}

interface Federation {
  /** Sends the browser to the bridge for this interaction, the address (if any) as `login_hint`. */
  start(res: ServerResponse, uid: string, email: string): Promise<void>;
  /** The bridge's answer: the code exchanged (oauth4webapi), the account signed in, the interaction resumed. */
  callback(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * The federation to the SSO bridge, with oauth4webapi (discovery, PKCE, the code exchanged with the client secret,
 * the ID token's issuer, audience, nonce and signature checked): the account is the bridge's `sub`, kept with its
 * claims; the interaction is found again by the `state` (the callback path is fixed, so the interaction cookie, scoped
 * to the interaction's own path, is not there to find it).
 */
function ssoFederation(
  provider: Provider,
  users: Map<string, LocalUser>,
  issuer: string,
  config: () => SsoFederation | undefined,
): Federation {
  const pending = new Map<string, { uid: string; verifier: string; nonce: string; at: number }>();
  const redirectUri = `${issuer}${SSO_CALLBACK_PATH}`;
  const insecure = { [oauth.allowInsecureRequests]: true }; // this machine only: the local gateway is http
  let server: Promise<oauth.AuthorizationServer> | undefined;
  const discover = (sso: SsoFederation) => {
    server ??= oauth
      .discoveryRequest(new URL(sso.issuer), { algorithm: 'oidc', ...insecure })
      .then((r) => oauth.processDiscoveryResponse(new URL(sso.issuer), r))
      .catch((e) => {
        server = undefined;
        throw e;
      });
    return server;
  };
  const required = () => {
    const sso = config();
    if (!sso) throw new Error('Single sign-on is not set up on this local stack.');
    return sso;
  };
  return {
    async start(res, uid, email) {
      const sso = required();
      const as = await discover(sso);
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const nonce = oauth.generateRandomNonce();
      for (const [k, v] of pending) if (Date.now() - v.at > 15 * 60_000) pending.delete(k);
      pending.set(state, { uid, verifier, nonce, at: Date.now() });
      const to = new URL(as.authorization_endpoint!);
      to.searchParams.set('client_id', sso.clientId);
      to.searchParams.set('redirect_uri', redirectUri);
      to.searchParams.set('response_type', 'code');
      to.searchParams.set('scope', 'openid email profile');
      to.searchParams.set('state', state);
      to.searchParams.set('nonce', nonce);
      to.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
      to.searchParams.set('code_challenge_method', 'S256');
      if (email) to.searchParams.set('login_hint', email);
      res.writeHead(303, { location: to.toString(), 'cache-control': 'no-store' });
      res.end();
    },
    async callback(req, res) {
      const sso = required();
      const as = await discover(sso);
      const url = new URL(req.url ?? '/', issuer);
      const flow = pending.get(url.searchParams.get('state') ?? '');
      if (!flow)
        throw new Error('This single sign-on answer belongs to no sign-in in progress here. Start again.');
      pending.delete(url.searchParams.get('state')!);
      const client: oauth.Client = { client_id: sso.clientId };
      const params = oauth.validateAuthResponse(as, client, url, url.searchParams.get('state')!);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.ClientSecretPost(sso.clientSecret),
        params,
        redirectUri,
        flow.verifier,
        insecure,
      );
      const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: flow.nonce,
        requireIdToken: true,
      });
      await oauth.validateApplicationLevelSignature(as, response, insecure);
      const claims = oauth.getValidatedIdTokenClaims(result)!;
      const sub = `sso:${claims.sub}`;
      users.set(sub, {
        email: String(claims.email),
        emailVerified: claims.email_verified === true,
        ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
        sso: {
          org: String(claims.sso_org),
          sub: claims.sub,
          groups: Array.isArray(claims.groups) ? claims.groups.map(String) : [],
        },
      });
      const interaction = await provider.Interaction.find(flow.uid);
      if (!interaction) throw new Error('The sign-in took too long. Start again.');
      interaction.result = { login: { accountId: sub } };
      await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
      res.writeHead(303, { location: interaction.returnTo, 'cache-control': 'no-store' });
      res.end();
    },
  };
}
