/** The four IdP routes, one function (`authedRoutes`). */
import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { type AuthedRequest, authedRoutes, json } from '../../shared/http.ts';
import { idpConfigurationRequest } from '../schemas.ts';
import { deleteIdp, getIdp, idpMetadata, putIdp } from '../service.ts';

const PATH = '/api/v1/organizations/{organization_id}/idp';
const orgOf = (req: AuthedRequest) => req.path('organization_id', undefined, orgNotFound());

export const handler = authedRoutes({
  [`GET ${PATH}`]: async (req) => json(200, await getIdp(defaultDeps(), req.caller, orgOf(req))),
  [`PUT ${PATH}`]: async (req) => {
    const orgId = orgOf(req);
    const body = req.body(idpConfigurationRequest);
    return json(200, await putIdp(defaultDeps(), req.caller, orgId, body));
  },
  [`DELETE ${PATH}`]: async (req) => {
    await deleteIdp(defaultDeps(), req.caller, orgOf(req));
    return json(200, {});
  },
  // The reference answers `application/xml`; errors stay the API's JSON.
  [`GET ${PATH}/metadata.xml`]: async (req) => ({
    statusCode: 200,
    headers: {
      'content-type': 'application/xml; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-disposition': 'inline; filename="metadata.xml"',
    },
    body: await idpMetadata(defaultDeps(), req.caller, orgOf(req)),
  }),
});
