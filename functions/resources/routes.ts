/** Handler factories shared by the deployment and project handlers in `handlers/` (one Lambda each). */
import { orgNotFound } from '../organizations/service.ts';
import { defaultDeps } from '../shared/deps.ts';
import type { ResourceKindName } from '../shared/domain.ts';
import { type AuthedRequest, authedRoute, json } from '../shared/http.ts';
import { resourceRequest } from './schemas.ts';
import { createResource, deleteResource, getResource, listResources, notFound } from './service.ts';

const plural = (kind: ResourceKindName) => `${kind}s`;
const org = (req: AuthedRequest) => req.path('organization_id', undefined, orgNotFound());
const id = (req: AuthedRequest, kind: ResourceKindName) => req.path(`${kind}_id`, undefined, notFound(kind));

export const createHandler = (kind: ResourceKindName) =>
  authedRoute(async (req) =>
    json(201, await createResource(defaultDeps(), req.caller, org(req), kind, req.body(resourceRequest))),
  );

export const listHandler = (kind: ResourceKindName) =>
  authedRoute(async (req) =>
    json(200, { [plural(kind)]: await listResources(defaultDeps(), req.caller, org(req), kind) }),
  );

export const getHandler = (kind: ResourceKindName) =>
  authedRoute(async (req) =>
    json(200, await getResource(defaultDeps(), req.caller, org(req), kind, id(req, kind))),
  );

export const deleteHandler = (kind: ResourceKindName) =>
  authedRoute(async (req) => {
    await deleteResource(defaultDeps(), req.caller, org(req), kind, id(req, kind));
    return json(200, {});
  });
