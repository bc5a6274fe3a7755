/**
 * SCIM 2.0 on the wire (RFC 7643/7644): its media type, its error body, its list responses, and the discovery
 * documents an IdP reads first (ServiceProviderConfig, ResourceTypes, Schemas: static, as we support them).
 */
import type { HttpResponse } from '../shared/http.ts';

export const SCIM_MEDIA = 'application/scim+json';
export const SCHEMA = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  list: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patch: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  config: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** RFC 7644 §3.12's `scimType`s we answer. */
export type ScimType =
  | 'invalidFilter'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'invalidValue'
  | 'mutability'
  | 'uniqueness'
  | 'noTarget';

/** A refusal in SCIM's shape; the IdP shows `detail` to its administrator, so it says what to do. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly scimType?: ScimType,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ScimError';
  }
}

export const scim = (
  statusCode: number,
  body?: unknown,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: {
    ...(body === undefined ? {} : { 'content-type': SCIM_MEDIA }),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  },
  body: body === undefined ? '' : JSON.stringify(body),
});

export const scimErrorResponse = (e: ScimError): HttpResponse =>
  scim(
    e.status,
    {
      schemas: [SCHEMA.error],
      status: String(e.status),
      ...(e.scimType ? { scimType: e.scimType } : {}),
      detail: e.message,
    },
    e.headers,
  );

export const listResponse = (resources: unknown[], total: number, startIndex: number) => ({
  schemas: [SCHEMA.list],
  totalResults: total,
  startIndex,
  itemsPerPage: resources.length,
  Resources: resources,
});

export const MAX_PAGE = 100;

/** startIndex (1-based) and count, as RFC 7644 §3.4.2.4 reads them: out-of-range values are clamped, not refused. */
export function paging(query: (name: string) => string | undefined): { startIndex: number; count: number } {
  const int = (v: string | undefined) => (v !== undefined && /^-?\d{1,9}$/.test(v) ? Number(v) : undefined);
  const startIndex = Math.max(1, int(query('startIndex')) ?? 1);
  const count = Math.min(MAX_PAGE, Math.max(0, int(query('count')) ?? MAX_PAGE));
  return { startIndex, count };
}

const attr = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  type,
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const USER_SCHEMA = {
  schemas: [SCHEMA.schema],
  id: SCHEMA.user,
  name: 'User',
  description: 'A person of the organization; active means a member.',
  attributes: [
    attr('userName', 'string', { required: true, uniqueness: 'server', mutability: 'immutable' }),
    attr('externalId', 'string', { caseExact: true }),
    attr('displayName', 'string'),
    attr('name', 'complex', {
      subAttributes: [attr('givenName', 'string'), attr('familyName', 'string'), attr('formatted', 'string')],
    }),
    attr('emails', 'complex', {
      multiValued: true,
      subAttributes: [attr('value', 'string'), attr('type', 'string'), attr('primary', 'boolean')],
    }),
    attr('active', 'boolean'),
    attr('groups', 'complex', {
      multiValued: true,
      mutability: 'readOnly',
      subAttributes: [attr('value', 'string'), attr('display', 'string')],
    }),
  ],
  meta: { resourceType: 'Schema', location: `/Schemas/${SCHEMA.user}` },
};

const GROUP_SCHEMA = {
  schemas: [SCHEMA.schema],
  id: SCHEMA.group,
  name: 'Group',
  description: 'A group of the IdP; its displayName is a `group` for the role mappings.',
  attributes: [
    attr('displayName', 'string', { required: true }),
    attr('externalId', 'string', { caseExact: true }),
    attr('members', 'complex', {
      multiValued: true,
      subAttributes: [attr('value', 'string', { mutability: 'immutable' }), attr('display', 'string')],
    }),
  ],
  meta: { resourceType: 'Schema', location: `/Schemas/${SCHEMA.group}` },
};

export const SCHEMAS = [USER_SCHEMA, GROUP_SCHEMA];

export const resourceTypes = (base: string) => [
  {
    schemas: [SCHEMA.resourceType],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    schema: SCHEMA.user,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
  },
  {
    schemas: [SCHEMA.resourceType],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    schema: SCHEMA.group,
    meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
  },
];

export const serviceProviderConfig = (base: string, docs: string) => ({
  schemas: [SCHEMA.config],
  documentationUri: docs,
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: MAX_PAGE },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'Bearer token',
      description: "The organization's SCIM token (created by an organization-admin).",
      primary: true,
    },
  ],
  meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
});
