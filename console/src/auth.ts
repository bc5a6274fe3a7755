/**
 * Sign-in for the console: the service's browser sign-in module (`web/auth.ts`: authorization code with PKCE,
 * `oauth4webapi`, no secret), configured from `config.json`, behind the small API the rest of the console uses. The
 * provider redirects back to `/console/` itself, so the console needs no other page. Tokens stay in this tab's
 * sessionStorage and never travel in a URL.
 */
import { type Auth, createAuth, type UserClaims } from '../../web/auth.ts';
import { config } from './config.ts';

export type Claims = UserClaims;

const SIGNED_OUT = 'org-console.signed-out';
let auth: Auth | undefined;

function instance(): Auth {
  const c = config();
  if (!c.issuer || !c.clientId)
    throw new Error('No identity provider is configured for this console (config.json).');
  auth ??= createAuth({
    issuer: c.issuer,
    clientId: c.clientId,
    redirectUri: `${location.origin}${location.pathname}`,
    ...(c.authorizationEndpoint && c.tokenEndpoint
      ? { authorizationEndpoint: c.authorizationEndpoint, tokenEndpoint: c.tokenEndpoint }
      : {}),
  });
  return auth;
}

export const claims = (): Claims | undefined => instance().currentUser();

export const getAccessToken = async (): Promise<string | undefined> => instance().getAccessToken();

/** Leaves for the provider's sign-in page; comes back to the same screen. */
export async function signIn(returnHash = location.hash): Promise<void> {
  // After signing out here, ask the provider for a fresh sign-in rather than its remembered session.
  const switchAccount = sessionStorage.getItem(SIGNED_OUT) === '1';
  await instance().signIn({ returnTo: `${location.pathname}${returnHash}`, switchAccount });
}

/**
 * Signs in through the organization's identity provider (SSO): the provider goes straight to the SSO bridge
 * (`identity_provider=sso`), which finds the organization by `loginHint`: an address in a claimed domain, or
 * `org:<login identifier>`.
 */
export async function signInWithSso(loginHint: string, returnHash = ''): Promise<void> {
  await instance().signIn({
    returnTo: `${location.pathname}${returnHash}`,
    loginHint,
    extraParams: { identity_provider: 'sso' },
  });
}

/** Finishes a redirect back from the provider; false when this page load is not one. */
export async function handleCallback(): Promise<boolean> {
  const back = await instance().handleCallback();
  if (back === undefined) return false;
  sessionStorage.removeItem(SIGNED_OUT);
  const hash = back.includes('#') ? back.slice(back.indexOf('#')) : '';
  history.replaceState(null, '', `${location.pathname}${hash}`);
  return true;
}

export async function signOut(): Promise<void> {
  instance().signOut();
  sessionStorage.setItem(SIGNED_OUT, '1');
}
