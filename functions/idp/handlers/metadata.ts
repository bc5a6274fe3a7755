import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute } from '../../shared/http.ts';
import { idpMetadata } from '../service.ts';

/** The reference answers `application/xml`; errors stay the API's JSON. */
export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  return {
    statusCode: 200,
    headers: {
      'content-type': 'application/xml; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-disposition': 'inline; filename="metadata.xml"',
    },
    body: await idpMetadata(defaultDeps(), req.caller, orgId),
  };
});
