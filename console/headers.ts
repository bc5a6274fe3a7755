/**
 * The console's security headers, one definition for the local gateway and CloudFront's response headers policy:
 * its own scripts and styles only, API calls to its own origin and the sign-in provider, never framed.
 */
export function consoleCsp(authOrigins: readonly string[]): string {
  const connect = ["'self'", ...authOrigins].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${connect}`,
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const CONSOLE_HEADERS = {
  referrerPolicy: 'no-referrer',
  hstsSeconds: 63_072_000, // two years, as HSTS preload lists ask
} as const;

/**
 * The origin of a URL (the provider's issuer or endpoints), or nothing when it is not an http(s) URL (the local dev
 * issuer is a URN). Read from the text, so a CDK token inside the host (Cognito's region, pool or domain) stays a
 * token and is resolved in the header at deploy time.
 */
export function originOf(url: string | undefined): string[] {
  const m = url ? /^(https?:\/\/[^/?#]+)/i.exec(url) : null;
  return m?.[1] ? [m[1]] : [];
}
