/**
 * Sign-in for the console, behind one small API (signIn, handleCallback, getAccessToken, signOut, claims) so the rest
 * of the console never touches tokens. The access token lives in sessionStorage: it leaves with the tab, and never
 * travels in a URL.
 */
import { config } from './config.ts';

export interface Claims {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  exp?: number;
}

const TOKEN_KEY = 'org-console.access_token';

function decode(token: string): Claims | undefined {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Claims;
  } catch {
    return undefined;
  }
}

const fresh = (c: Claims | undefined): c is Claims =>
  !!c?.sub && (!c.exp || c.exp * 1000 > Date.now() + 5_000);

export function claims(): Claims | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const c = token ? decode(token) : undefined;
  return fresh(c) ? c : undefined;
}

export async function getAccessToken(): Promise<string | undefined> {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  return token && fresh(decode(token)) ? token : undefined;
}

/** Whether a provider is configured; without one (a bare local run) the console takes a pasted token. */
export const hasProvider = (): boolean => !!config().issuer && !!config().clientId;

export async function signIn(_returnTo = location.hash): Promise<void> {
  throw new Error('No identity provider is configured for this console.');
}

/** Finishes a redirect back from the provider; false when this page load is not one. */
export async function handleCallback(): Promise<boolean> {
  return false;
}

/** Uses a token obtained elsewhere (`npm run token`), for a bare local run without a provider. */
export function useToken(token: string): Claims | undefined {
  const c = decode(token.trim());
  if (!fresh(c)) return undefined;
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  return c;
}

export async function signOut(): Promise<void> {
  sessionStorage.removeItem(TOKEN_KEY);
}
