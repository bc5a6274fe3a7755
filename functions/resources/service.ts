/** Deployments and projects of an organization: one service, two kinds. */
import { callerUnchanged, retryAuthorised } from '../organizations/membership.ts';
import { loadOrgAndMembership, orgNotFound } from '../organizations/service.ts';
import {
  conditionsFailed,
  countOnOrganization,
  getItem,
  queryAll,
  type TransactItems,
  transact,
} from '../shared/db.ts';
import type { Deps } from '../shared/deps.ts';
import type { ResourceItem, ResourceKindName } from '../shared/domain.ts';
import { ApiError } from '../shared/errors.ts';
import type { Caller } from '../shared/http.ts';
import { canCreate, canDelete, canRead, readableIds } from '../shared/permissions.ts';
import { PROJECT_TYPES, type ProjectType } from '../shared/roles.ts';
import type * as z from '../shared/schema.ts';
import { ENTITY, keys, queries } from '../shared/table.ts';
import { decodeConfiguration, encodeConfiguration } from './configuration.ts';
import type { resourceRequest } from './schemas.ts';

export const MAX_CONFIGURATION_BYTES = 16 * 1024;

const MAX_CONFIGURATION_DEPTH = 30;

/** How deep a configuration may nest: it is checksummed recursively when a migration backs it up. */
function tooDeep(value: unknown, path: string, depth: number): string | undefined {
  if (depth > MAX_CONFIGURATION_DEPTH)
    return `configuration is nested more than ${MAX_CONFIGURATION_DEPTH} levels deep (at ${path}).`;
  if (!value || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const p = tooDeep(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, depth + 1);
    if (p) return p;
  }
  return undefined;
}

/** The wire shape: what the console shows and what a snapshot must reproduce. */
export interface Resource {
  id: string;
  organization_id: string;
  kind: ResourceKindName;
  type: string;
  name: string;
  configuration: Record<string, unknown>;
  status: 'active';
  /** When it was created; for one a migration restored, when it was restored. */
  created_at: string;
  /** Only on one a migration brought: its id in the organization it came from. */
  restored_from?: { source_id: string };
}

export const toResource = (r: ResourceItem): Resource => ({
  id: r.id,
  organization_id: r.organization_id,
  kind: r.kind,
  type: r.type,
  name: r.name,
  configuration: r.configuration,
  status: r.status,
  created_at: r.created_at,
  // Not the repository or the migration: those are the mover's, and other members see this too.
  ...(r.restored_from ? { restored_from: { source_id: r.restored_from.source_id } } : {}),
});

export const notFound = (kind: ResourceKindName) =>
  new ApiError(
    kind === 'deployment' ? 'organization.deployment_not_found' : 'organization.project_not_found',
    `${kind === 'deployment' ? 'Deployment' : 'Project'} not found.`,
  );

const forbidden = (what: string) =>
  new ApiError('root.invalid_authentication', `Your roles in this organization do not allow you to ${what}.`);

function resourceType(kind: ResourceKindName, raw: string | undefined): string {
  if (kind === 'deployment') {
    if (raw !== undefined && raw !== 'hosted')
      throw new ApiError('root.invalid_data', 'A deployment type must be "hosted".', ['type']);
    return 'hosted';
  }
  if (!raw || !(PROJECT_TYPES as readonly string[]).includes(raw)) {
    throw new ApiError('root.invalid_data', `A project type must be one of ${PROJECT_TYPES.join(', ')}.`, [
      'type',
    ]);
  }
  return raw;
}

/**
 * Put a resource and count it on the organization in one transaction. `id` may be given (a restore uses a
 * deterministic id, so running it twice does not duplicate anything).
 */
export async function putResource(
  deps: Deps,
  item: ResourceItem,
  /** More items to write in the same transaction (the creator's membership, held). */
  also: TransactItems = {},
): Promise<'created' | 'exists'> {
  try {
    await transact(deps.db, {
      ...also,
      resource: {
        Put: {
          TableName: deps.table,
          Item: { ...keys.resource(item.kind, item.organization_id, item.id), ...encodeConfiguration(item) },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      organizationCount: countOnOrganization(deps.table, keys.organization(item.organization_id), {
        active_resource_count: 1,
      }),
    });
    return 'created';
  } catch (e) {
    const failed = conditionsFailed(e);
    if (failed?.has('resource')) return 'exists';
    if (failed?.has('organizationCount')) throw orgNotFound();
    throw e;
  }
}

export async function createResource(
  deps: Deps,
  caller: Caller,
  orgId: string,
  kind: ResourceKindName,
  input: z.infer<typeof resourceRequest>,
): Promise<Resource> {
  const type = resourceType(kind, input.type);
  const configuration = input.configuration ?? {};
  if (Buffer.byteLength(JSON.stringify(configuration)) > MAX_CONFIGURATION_BYTES) {
    throw new ApiError(
      'root.invalid_data',
      `configuration is larger than ${MAX_CONFIGURATION_BYTES / 1024} KiB.`,
      ['configuration'],
    );
  }
  const problem = tooDeep(configuration, 'configuration', 1);
  if (problem) throw new ApiError('root.invalid_data', problem, ['configuration']);
  const item: ResourceItem = {
    entity: kind === 'deployment' ? ENTITY.deployment : ENTITY.project,
    kind,
    id: deps.newId(),
    organization_id: orgId,
    name: input.name,
    type,
    configuration,
    status: 'active',
    created_at: deps.now().toISOString(),
    created_by: caller.userId,
  };
  // The creator's roles are held by the write: demoted meanwhile, the retry reads again and refuses.
  await retryAuthorised(async () => {
    const { membership } = await loadOrgAndMembership(deps, orgId, caller);
    if (
      !canCreate(membership.role_assignments, kind, kind === 'project' ? (type as ProjectType) : undefined)
    ) {
      throw forbidden(`create ${kind}s`);
    }
    await putResource(deps, item, callerUnchanged(deps, membership));
  });
  return toResource(item);
}

/** Every resource of a kind in an organization (all pages). */
export async function queryResources(
  deps: Deps,
  orgId: string,
  kind: ResourceKindName,
): Promise<ResourceItem[]> {
  const items = await queryAll<ResourceItem>(deps.db, deps.table, queries.resources(kind, orgId));
  return items.map(decodeConfiguration);
}

export async function listResources(
  deps: Deps,
  caller: Caller,
  orgId: string,
  kind: ResourceKindName,
): Promise<Resource[]> {
  const { membership } = await loadOrgAndMembership(deps, orgId, caller);
  const visible = readableIds(membership.role_assignments, kind);
  const all = await queryResources(deps, orgId, kind);
  return all
    .filter(
      (r) =>
        visible === true ||
        (kind === 'project'
          ? canRead(membership.role_assignments, kind, r.id, r.type as ProjectType)
          : visible.has(r.id)),
    )
    .sort((a, b) => a.created_at.localeCompare(b.created_at))
    .map(toResource);
}

export const getResourceItem = async (deps: Deps, orgId: string, kind: ResourceKindName, id: string) =>
  decodeConfiguration(await getItem<ResourceItem>(deps.db, deps.table, keys.resource(kind, orgId, id)));

export async function getResource(
  deps: Deps,
  caller: Caller,
  orgId: string,
  kind: ResourceKindName,
  id: string,
): Promise<Resource> {
  const { membership } = await loadOrgAndMembership(deps, orgId, caller);
  const item = await getResourceItem(deps, orgId, kind, id);
  // Not found and not yours look the same: a scoped member learns nothing about other resources.
  if (!item || !canRead(membership.role_assignments, kind, id, item.type as ProjectType))
    throw notFound(kind);
  return toResource(item);
}

/** Delete a resource and uncount it in one transaction. Returns false when it was already gone. */
export async function deleteResourceItem(
  deps: Deps,
  orgId: string,
  kind: ResourceKindName,
  id: string,
  /** More items to write in the same transaction (the migration marks its snapshot). */
  also: TransactItems = {},
): Promise<boolean> {
  try {
    await transact(deps.db, {
      ...also,
      resource: {
        Delete: {
          TableName: deps.table,
          Key: keys.resource(kind, orgId, id),
          ConditionExpression: 'attribute_exists(pk)',
        },
      },
      organizationCount: countOnOrganization(
        deps.table,
        keys.organization(orgId),
        { active_resource_count: -1 },
        { anyStatus: true },
      ),
    });
    return true;
  } catch (e) {
    if (conditionsFailed(e)?.has('resource')) return false; // the resource is gone
    throw e;
  }
}

export async function deleteResource(
  deps: Deps,
  caller: Caller,
  orgId: string,
  kind: ResourceKindName,
  id: string,
): Promise<void> {
  // The deleter's roles are held by the write: demoted meanwhile, the retry reads again and refuses.
  await retryAuthorised(async () => {
    const { membership } = await loadOrgAndMembership(deps, orgId, caller);
    const item = await getResourceItem(deps, orgId, kind, id);
    if (!item || !canRead(membership.role_assignments, kind, id, item.type as ProjectType))
      throw notFound(kind);
    if (!canDelete(membership.role_assignments, kind, id, item.type as ProjectType))
      throw forbidden(`delete this ${kind}`);
    if (!(await deleteResourceItem(deps, orgId, kind, id, callerUnchanged(deps, membership))))
      throw notFound(kind);
  });
}
