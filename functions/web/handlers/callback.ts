import { randomBytes } from 'node:crypto';
import { callbackPage, pageHeaders } from '../../invitations/render.ts';
import { oidcConfig } from '../../shared/config.ts';
import { publicRoute } from '../../shared/http.ts';

/**
 * The redirect URI (`/auth/callback`) of the pages' sign-in: a page whose script exchanges the one-time code for
 * tokens and goes back. The code arrives in the query string; this handler never reads or logs it.
 */
export const handler = publicRoute(async () => {
  const nonce = randomBytes(16).toString('base64');
  const oidc = oidcConfig();
  return { statusCode: 200, headers: pageHeaders(nonce, oidc), body: callbackPage(nonce, oidc) };
});
