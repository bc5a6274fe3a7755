/**
 * The SSO bridge's public routes in one function (docs/sso.md): its OpenID Connect side for Cognito and the local
 * provider, the SAML ACS the organizations' IdPs post to, and the login link admins hand out.
 */
import { defaultDeps } from '../../shared/deps.ts';
import { ApiError } from '../../shared/errors.ts';
import { type HttpResponse, ID_PATTERN, json, publicRoutes, type Request } from '../../shared/http.ts';
import { decodeUtf8, MAX_BODY_BYTES } from '../../shared/request-body.ts';
import { authorize, discovery, jwks, oauthError, token, userinfo } from '../oidc.ts';
import { messagePage } from '../pages.ts';
import { acceptSamlResponse, SsoRefused } from '../signin.ts';

const SSO = 'GET /api/v1/sso';

/** A form body (`application/x-www-form-urlencoded`), as IdPs post SAML responses and OAuth clients post to `token`. */
function formBody(req: Request): URLSearchParams {
  const { body, isBase64Encoded, headers } = req.event;
  if (!body) return new URLSearchParams();
  const type = (headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded')
    throw new ApiError('root.unsupported_media_type', 'Send this form as application/x-www-form-urlencoded.');
  const bytes = isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body);
  if (bytes.length > MAX_FORM_BYTES)
    throw new ApiError('root.payload_too_large', `The form is larger than ${MAX_FORM_BYTES / 1024} KiB.`);
  try {
    return new URLSearchParams(decodeUtf8(bytes));
  } catch {
    throw new ApiError('root.invalid_data', 'The form is not valid UTF-8: send it URL-encoded UTF-8.');
  }
}

/** SAML responses are large (certificates, many groups): eight times what a JSON body may be. */
const MAX_FORM_BYTES = MAX_BODY_BYTES * 8;

const queryOf = (req: Request) => new URLSearchParams(req.event.rawQueryString ?? '');

async function acs(req: Request): Promise<HttpResponse> {
  let orgId: string;
  let form: URLSearchParams;
  try {
    orgId = req.path('organization_id');
    form = formBody(req);
  } catch (e) {
    // A person's browser posted this: every refusal of the ACS is a page, with the status of the problem.
    if (e instanceof ApiError) return messagePage(e.status, 'Sign-in not understood', e.message);
    throw e;
  }
  const samlResponse = form.get('SAMLResponse');
  const relayState = form.get('RelayState');
  if (!samlResponse || !relayState || !/^_[0-9a-f]{40}$/.test(relayState)) {
    return messagePage(
      400,
      'Sign-in not understood',
      'This page takes the answer of your identity provider to a sign-in started here; it got something else. Start the sign-in again from the console.',
      { href: '/console/', label: 'Open the console' },
    );
  }
  try {
    const done = await acceptSamlResponse(defaultDeps(), { orgId, samlResponse, relayState });
    return { statusCode: 303, headers: { location: done.redirectTo, 'cache-control': 'no-store' }, body: '' };
  } catch (e) {
    if (e instanceof SsoRefused) return messagePage(e.status, e.title, e.message, e.next);
    throw e;
  }
}

export const handler = publicRoutes({
  [`${SSO}/.well-known/openid-configuration`]: async () => json(200, discovery(defaultDeps().publicBaseUrl)),
  [`${SSO}/jwks.json`]: async () => ({
    ...json(200, await jwks()),
    headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
  }),
  [`${SSO}/authorize`]: (req) => authorize(defaultDeps(), queryOf(req)),
  'POST /api/v1/sso/token': async (req) => {
    let form: URLSearchParams;
    try {
      form = formBody(req);
    } catch (e) {
      // OAuth clients read `error`: the body's problem as invalid_request, with the API's error beside it.
      if (e instanceof ApiError) return oauthError(e.status, 'invalid_request', e.message);
      throw e;
    }
    return token(defaultDeps(), form, req.event.headers?.authorization);
  },
  [`${SSO}/userinfo`]: (req) => userinfo(defaultDeps(), req.event.headers?.authorization),
  'POST /api/v1/saml/acs/{organization_id}': acs,
  // The IdP's `sso_login_url`: the console starts an SSO sign-in for that organization.
  'GET /api/v1/saml/login/{login_identifier}': async (req) => {
    const id = req.path('login_identifier', ID_PATTERN);
    return {
      statusCode: 302,
      headers: { location: `/console/?sso=${encodeURIComponent(id)}`, 'cache-control': 'no-store' },
      body: '',
    };
  },
});
