/**
 * Browser sign-in for this service's pages (the invitation page, the console): OpenID Connect authorization code
 * with PKCE against the configured issuer, done in the page with `oauth4webapi` (public client, no secret).
 *
 *   const auth = createAuth({ issuer, clientId, redirectUri: `${location.origin}/auth/callback` });
 *   await auth.signIn({ returnTo: location.pathname });   // leaves the page for the provider's sign-in
 *   const back = await auth.handleCallback();             // on the redirect URI: exchanges the code, returns returnTo
 *   auth.getAccessToken();                                // bearer token for the API, or undefined (then sign in)
 *   auth.currentUser();                                   // { sub, email, email_verified, name } from the ID token
 *   auth.signOut();                                       // forgets the tokens in this tab
 *
 * Where things live: state, nonce and the PKCE verifier in sessionStorage between leaving and coming back; the
 * tokens in sessionStorage (this tab only, gone when it closes). No token is ever put in a URL: the provider sends
 * back a one-time code bound to the PKCE verifier, and the page exchanges it with a POST.
 */
import * as oauth from 'oauth4webapi';
import { safeReturnTo } from './return-to.ts';

export { safeReturnTo };

export interface AuthConfig {
  issuer: string;
  clientId: string;
  /** Registered with the provider; `handleCallback()` runs there. */
  redirectUri: string;
  /** Defaults to `openid email profile`. */
  scope?: string;
  /** Set both to skip discovery (Cognito: the hosted UI domain); otherwise the issuer's discovery document. */
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
}

export interface UserClaims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export interface SignInOptions {
  /** Path on this origin to come back to after signing in. */
  returnTo: string;
  /** Pre-fills the provider's sign-in form. */
  loginHint?: string;
  /** Ask the provider to sign in again even with a live session there (`prompt=login`): "use another account". */
  switchAccount?: boolean;
  /**
   * More authorization parameters, e.g. `{ identity_provider: 'sso' }` (Cognito's, and the local provider's, way to go
   * straight to a federated provider). They cannot replace the ones this module sets.
   */
  extraParams?: Record<string, string>;
}

export interface Auth {
  signIn(opts: SignInOptions): Promise<void>;
  /** On the redirect URI: finishes sign-in and returns where to go; undefined when this is not a callback. */
  handleCallback(url?: URL): Promise<string | undefined>;
  getAccessToken(): string | undefined;
  currentUser(): UserClaims | undefined;
  signOut(): void;
}

const PENDING = 'org-membership.auth.pending';
const SESSION = 'org-membership.auth.session';

interface Pending {
  issuer: string;
  state: string;
  nonce: string;
  verifier: string;
  returnTo: string;
}
interface Stored {
  issuer: string;
  accessToken: string;
  expiresAt: number;
  user: UserClaims;
}

export function createAuth(config: AuthConfig): Auth {
  const issuerUrl = new URL(config.issuer);
  const client: oauth.Client = { client_id: config.clientId };
  // http is allowed only for a provider on this machine (`npm start`); anything else must be https.
  const local =
    issuerUrl.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuerUrl.hostname);
  const options = local ? { [oauth.allowInsecureRequests]: true } : {};
  let server: Promise<oauth.AuthorizationServer> | undefined;
  const authorizationServer = () => {
    server ??=
      config.authorizationEndpoint && config.tokenEndpoint
        ? Promise.resolve({
            issuer: config.issuer,
            authorization_endpoint: config.authorizationEndpoint,
            token_endpoint: config.tokenEndpoint,
          })
        : oauth
            .discoveryRequest(issuerUrl, { algorithm: 'oidc', ...options })
            .then((res) => oauth.processDiscoveryResponse(issuerUrl, res));
    return server;
  };
  const read = <T>(key: string): T | undefined => {
    try {
      return JSON.parse(sessionStorage.getItem(key) ?? 'null') ?? undefined;
    } catch {
      return undefined;
    }
  };

  return {
    async signIn({ returnTo, loginHint, switchAccount, extraParams }) {
      const as = await authorizationServer();
      const pending: Pending = {
        issuer: config.issuer,
        state: oauth.generateRandomState(),
        nonce: oauth.generateRandomNonce(),
        verifier: oauth.generateRandomCodeVerifier(),
        returnTo: safeReturnTo(returnTo),
      };
      sessionStorage.setItem(PENDING, JSON.stringify(pending));
      const url = new URL(as.authorization_endpoint!);
      url.search = new URLSearchParams({
        ...extraParams,
        client_id: config.clientId,
        redirect_uri: config.redirectUri,
        response_type: 'code',
        scope: config.scope ?? 'openid email profile',
        state: pending.state,
        nonce: pending.nonce,
        code_challenge: await oauth.calculatePKCECodeChallenge(pending.verifier),
        code_challenge_method: 'S256',
        ...(loginHint ? { login_hint: loginHint } : {}),
        ...(switchAccount ? { prompt: 'login' } : {}),
      }).toString();
      location.assign(url.href);
    },

    async handleCallback(url = new URL(location.href)) {
      if (!url.searchParams.has('state')) return undefined;
      const pending = read<Pending>(PENDING);
      sessionStorage.removeItem(PENDING);
      // The code is single-use and useless without the verifier, but it leaves the address bar and history anyway.
      history.replaceState(null, '', url.pathname);
      if (!pending || pending.issuer !== config.issuer) {
        throw new Error('This sign-in was not started from this browser tab. Start again from the page.');
      }
      const as = await authorizationServer();
      const params = oauth.validateAuthResponse(as, client, url.searchParams, pending.state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        params,
        config.redirectUri,
        pending.verifier,
        options,
      );
      const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: pending.nonce,
        requireIdToken: true,
      });
      const claims = oauth.getValidatedIdTokenClaims(result)!;
      const stored: Stored = {
        issuer: config.issuer,
        accessToken: result.access_token,
        expiresAt: Date.now() + (result.expires_in ?? 3600) * 1000,
        user: {
          sub: claims.sub,
          ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
          ...(claims.email_verified !== undefined
            ? { email_verified: claims.email_verified === true || claims.email_verified === 'true' }
            : {}),
          ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
        },
      };
      sessionStorage.setItem(SESSION, JSON.stringify(stored));
      return pending.returnTo;
    },

    getAccessToken() {
      const s = read<Stored>(SESSION);
      // A minute's margin: a token about to expire would fail on its way to the API.
      return s && s.issuer === config.issuer && s.expiresAt - 60_000 > Date.now() ? s.accessToken : undefined;
    },

    currentUser() {
      const s = read<Stored>(SESSION);
      return s && s.issuer === config.issuer && s.expiresAt - 60_000 > Date.now() ? s.user : undefined;
    },

    signOut() {
      sessionStorage.removeItem(SESSION);
      sessionStorage.removeItem(PENDING);
    },
  };
}

/** The configuration a page of this service embeds (`<script type="application/json" id="auth-config">`). */
export function pageAuthConfig(doc: Document = document): AuthConfig {
  const el = doc.getElementById('auth-config');
  const raw = JSON.parse(el?.textContent ?? '{}') as Partial<AuthConfig>;
  if (!raw.issuer || !raw.clientId) throw new Error('This page has no sign-in configuration.');
  return {
    issuer: raw.issuer,
    clientId: raw.clientId,
    redirectUri: raw.redirectUri ?? `${location.origin}/auth/callback`,
    ...(raw.authorizationEndpoint ? { authorizationEndpoint: raw.authorizationEndpoint } : {}),
    ...(raw.tokenEndpoint ? { tokenEndpoint: raw.tokenEndpoint } : {}),
  };
}
