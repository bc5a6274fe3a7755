import { randomBytes } from 'node:crypto';
import { oidcConfig } from '../../shared/config.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { publicRoute } from '../../shared/http.ts';
import { invitationPage, type PageState, pageHeaders } from '../render.ts';
import { TOKEN_PATTERN } from '../schemas.ts';
import { findByToken, isExpired, withCurrentName } from '../store.ts';

const STATUS: Record<PageState, number> = {
  pending: 200,
  accepted: 410,
  expired: 410,
  revoked: 410,
  unknown: 404,
};

/** The page the emailed link opens: details, sign-in and an Accept button, or what to do next. */
export const handler = publicRoute(async (req) => {
  const raw = req.event.pathParameters?.token ?? '';
  const deps = defaultDeps();
  const found = TOKEN_PATTERN.test(raw) ? await findByToken(deps, raw) : undefined;
  const inv = found && (await withCurrentName(deps, found));
  let state: PageState = 'unknown';
  if (inv?.status === 'accepted') state = 'accepted';
  else if (inv?.status === 'revoked') state = 'revoked';
  else if (inv) state = isExpired(inv, deps.now()) ? 'expired' : 'pending';
  const nonce = randomBytes(16).toString('base64');
  const oidc = oidcConfig();
  return {
    statusCode: STATUS[state],
    headers: pageHeaders(nonce, oidc),
    body: invitationPage(state, inv, nonce, oidc),
  };
});
