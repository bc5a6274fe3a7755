/**
 * SSO as a browser does it, over HTTP with a cookie jar and no JavaScript: the console's client asks the local OpenID
 * Connect provider with `identity_provider=sso`, the provider federates to the bridge, the bridge sends a SAML
 * AuthnRequest to the local SAML IdP, the IdP's signed answer is posted to our ACS, and the codes come back down the
 * chain to an access token for the API. Each hop is a real request to the real component. No test framework here:
 * the integration tests (test/support/sso.ts) and the bench (bench/sso.ts) both walk it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { WEB_CLIENT_ID } from './jwt.ts';
import type { LocalStack } from './stack.ts';

/** What the walk needs of the local stack. */
export type SsoStack = Pick<LocalStack, 'apiUrl' | 'issuer' | 'samlIdp'>;

export interface SsoHop {
  status: number;
  location?: string;
  text: string;
}

/** Where the sign-in ended: a token for the API, or the page a hop answered instead of redirecting. */
export type SsoResult = { token: string } | { page: SsoHop };

class Browser {
  private readonly cookies = new Map<string, Map<string, string>>();

  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<SsoHop> {
    const u = new URL(url);
    const jar = this.cookies.get(u.host) ?? new Map<string, string>();
    const res = await fetch(u, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    this.cookies.set(u.host, jar);
    const location = res.headers.get('location');
    return {
      status: res.status,
      ...(location ? { location: new URL(location, u).toString() } : {}),
      text: await res.text(),
    };
  }
}

export interface SsoWalkOptions {
  loginHint?: string;
  /** May change the SAML Response on its way to the ACS (a test of what the ACS refuses). */
  tamper?: (samlResponse: string) => string;
  /** Sees the SAML answer posted to the ACS (to replay it). */
  keep?: (acs: AcsPost) => void;
  /** Checks the local provider's token answer; by default anything but 200 throws. */
  checkToken?: (status: number, body: unknown) => void;
}

const tokenOk = (status: number, body: unknown) => {
  if (status !== 200) throw new Error(`The token request answered ${status}: ${JSON.stringify(body)}`);
};

/**
 * Signs `email` in through the organization's IdP (the local SAML IdP must know the user: `stack.samlIdp.users`).
 * `tamper` may change the SAML Response on its way to the ACS (a test of what the ACS refuses).
 */
export async function ssoWalk(stack: SsoStack, email: string, opts: SsoWalkOptions = {}): Promise<SsoResult> {
  const browser = new Browser();
  const verifier = randomBytes(32).toString('base64url');
  const redirectUri = `${stack.apiUrl}/console/`;
  const auth = new URL(`${stack.issuer}/auth`);
  auth.search = new URLSearchParams({
    client_id: WEB_CLIENT_ID,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid email profile',
    state: 'console-state',
    nonce: 'console-nonce',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    identity_provider: 'sso',
    login_hint: opts.loginHint ?? email,
  }).toString();

  let hop = await browser.go(auth.toString());
  for (let i = 0; i < 12; i++) {
    if (!hop.location) return { page: hop };
    const next = new URL(hop.location);
    if (next.origin === new URL(stack.samlIdp.ssoUrl).origin && next.searchParams.has('SAMLRequest')) {
      const answer = await stack.samlIdp.respond(
        next.searchParams.get('SAMLRequest')!,
        next.searchParams.get('RelayState') ?? undefined,
        email,
      );
      const post: AcsPost = {
        acsUrl: answer.acsUrl,
        SAMLResponse: opts.tamper ? opts.tamper(answer.samlResponse) : answer.samlResponse,
        RelayState: answer.relayState ?? '',
      };
      opts.keep?.(post);
      hop = await browser.go(post.acsUrl, {
        method: 'POST',
        form: { SAMLResponse: post.SAMLResponse, RelayState: post.RelayState },
      });
      continue;
    }
    if (next.toString().startsWith(redirectUri) && next.searchParams.has('code')) {
      const res = await fetch(`${stack.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: next.searchParams.get('code')!,
          redirect_uri: redirectUri,
          client_id: WEB_CLIENT_ID,
          code_verifier: verifier,
        }),
      });
      const body = (await res.json()) as { access_token?: string };
      (opts.checkToken ?? tokenOk)(res.status, body);
      return { token: body.access_token! };
    }
    hop = await browser.go(next.toString());
  }
  throw new Error('The SSO sign-in did not end within 12 hops');
}

export interface AcsPost {
  acsUrl: string;
  SAMLResponse: string;
  RelayState: string;
}

/** Posts a SAML answer to the ACS again, as a replaying attacker would, with a fresh browser. */
export const postToAcs = (post: AcsPost): Promise<SsoHop> =>
  new Browser().go(post.acsUrl, {
    method: 'POST',
    form: { SAMLResponse: post.SAMLResponse, RelayState: post.RelayState },
  });
