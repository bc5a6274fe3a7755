/**
 * One function for SCIM: the organization-admins' token routes (`/api/v1/organizations/{id}/scim/token`, signed in),
 * and the SCIM 2.0 endpoints an IdP calls (`/scim/v2/{organization_id}/…`, public at the gateway: the SCIM token is
 * checked here). The SCIM routes are six generic ones (`{resource}` and `{resource}/{resource_id}`) dispatched inside:
 * SCIM is its own protocol, with its own discovery documents and error body (`functions/routes.ts` says why).
 */
import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { isApiError } from '../../shared/errors.ts';
import {
  type AuthedRequest,
  authedRoutes,
  type HttpResponse,
  json,
  publicRoute,
  type Request,
  toApiError,
} from '../../shared/http.ts';
import { readJsonBody } from '../../shared/request-body.ts';
import { createGroup, deleteGroup, getGroup, listGroups, patchGroup, replaceGroup } from '../groups.ts';
import {
  listResponse,
  resourceTypes,
  SCHEMAS,
  ScimError,
  scim,
  scimErrorResponse,
  serviceProviderConfig,
} from '../protocol.ts';
import { authenticate, deleteScimToken, rotateScimToken, scimBaseUrl, scimTokenStatus } from '../token.ts';
import { createUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from '../users.ts';

const TOKEN = '/api/v1/organizations/{organization_id}/scim/token';
const orgOf = (req: AuthedRequest) => req.path('organization_id', undefined, orgNotFound());

const admin = authedRoutes({
  [`GET ${TOKEN}`]: async (req) => json(200, await scimTokenStatus(defaultDeps(), req.caller, orgOf(req))),
  [`POST ${TOKEN}`]: async (req) => json(201, await rotateScimToken(defaultDeps(), req.caller, orgOf(req))),
  [`DELETE ${TOKEN}`]: async (req) => {
    await deleteScimToken(defaultDeps(), req.caller, orgOf(req));
    return json(200, {});
  },
});

const ORG_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const RESOURCE_ID = /^[A-Za-z0-9_.:%-]{1,512}$/;

/** SCIM's answers for what the API would answer with its own error body. */
function toScimError(e: unknown): ScimError {
  if (e instanceof ScimError) return e;
  const err = toApiError(e);
  if (isApiError(e) && err.status < 500 && err.status !== 429)
    return new ScimError(err.status, err.message, err.status === 400 ? 'invalidSyntax' : undefined);
  return new ScimError(err.status, err.message, undefined, err.headers ?? {});
}

async function serve(req: Request): Promise<HttpResponse> {
  const deps = defaultDeps();
  const orgId = req.event.pathParameters?.organization_id ?? '';
  const resource = req.event.pathParameters?.resource ?? '';
  const id = req.event.pathParameters?.resource_id;
  const method = req.event.requestContext.http.method;
  const base = scimBaseUrl(deps, orgId);
  const query = (name: string) => req.query(name);
  if (!ORG_ID.test(orgId)) throw new ScimError(404, 'No such SCIM endpoint.');
  if (id !== undefined && !RESOURCE_ID.test(id)) throw new ScimError(404, 'No such resource.');

  // Discovery: static, the same for every organization; no token needed (RFC 7644 §4).
  if (method === 'GET' && id === undefined) {
    if (resource === 'ServiceProviderConfig')
      return scim(200, serviceProviderConfig(base, `${deps.publicBaseUrl}/docs/scim.md`));
    if (resource === 'ResourceTypes') return scim(200, listResponse(resourceTypes(base), 2, 1));
    if (resource === 'Schemas') return scim(200, listResponse(SCHEMAS, SCHEMAS.length, 1));
  }
  if (method === 'GET' && id !== undefined) {
    if (resource === 'ResourceTypes') {
      const found = resourceTypes(base).find((r) => r.id === id);
      if (found) return scim(200, found);
      throw new ScimError(404, `No resource type ${id.slice(0, 64)}: User and Group.`);
    }
    if (resource === 'Schemas') {
      const found = SCHEMAS.find((s) => s.id === decodeURIComponent(id));
      if (found) return scim(200, found);
      throw new ScimError(404, 'No such schema: the core User and Group schemas.');
    }
  }
  if (resource !== 'Users' && resource !== 'Groups')
    throw new ScimError(
      404,
      `No SCIM endpoint ${resource.slice(0, 64)}: Users, Groups and the discovery documents.`,
    );

  const auth = await authenticate(deps, orgId, req.event.headers?.authorization);
  const body = () => readJsonBody(req.event);
  if (resource === 'Users') {
    if (id === undefined) {
      if (method === 'GET') return scim(200, await listUsers(deps, auth, base, query));
      if (method === 'POST') {
        const created = await createUser(deps, auth, base, body());
        return scim(201, created, { location: String((created.meta as { location: string }).location) });
      }
    } else {
      if (method === 'GET') return scim(200, await getUser(deps, auth, base, id));
      if (method === 'PUT') return scim(200, await replaceUser(deps, auth, base, id, body()));
      if (method === 'PATCH') return scim(200, await patchUser(deps, auth, base, id, body()));
      if (method === 'DELETE') {
        await deleteUser(deps, auth, base, id);
        return scim(204);
      }
    }
  } else if (id === undefined) {
    if (method === 'GET') return scim(200, await listGroups(deps, auth, base, query));
    if (method === 'POST') {
      const created = await createGroup(deps, auth, base, body());
      return scim(201, created, { location: String((created.meta as { location: string }).location) });
    }
  } else {
    if (method === 'GET') return scim(200, await getGroup(deps, auth, base, id, query));
    if (method === 'PUT') return scim(200, await replaceGroup(deps, auth, base, id, body()));
    if (method === 'PATCH') return scim(200, await patchGroup(deps, auth, base, id, body()));
    if (method === 'DELETE') {
      await deleteGroup(deps, auth, id);
      return scim(204);
    }
  }
  throw new ScimError(405, `${method} is not supported on ${resource}${id === undefined ? '' : '/{id}'}.`);
}

const scimEndpoints = publicRoute(async (req) => {
  try {
    return await serve(req);
  } catch (e) {
    const err = toScimError(e);
    if (err.status >= 500) throw e; // logged by the wrapper as every 5xx is, then answered below
    return scimErrorResponse(err);
  }
});

/** 5xx in SCIM's shape too: the wrapper logged it; the IdP retries on 5xx and 429. */
const scimServerErrors: typeof scimEndpoints = async (event, context) => {
  const res = (await scimEndpoints(event, context)) as HttpResponse;
  if (res.statusCode < 500 && res.statusCode !== 429) return res;
  const parsed = JSON.parse(res.body) as { errors?: { message?: string }[] };
  return scimErrorResponse(
    new ScimError(res.statusCode, parsed.errors?.[0]?.message ?? 'Retry later.', undefined, {
      ...(res.headers?.['retry-after'] ? { 'retry-after': res.headers['retry-after'] } : {}),
    }),
  );
};

export const handler: typeof scimEndpoints = (event, context) =>
  event.routeKey.startsWith('/api/') || event.routeKey.includes(' /api/')
    ? admin(event, context)
    : scimServerErrors(event, context);
