/**
 * The OpenAPI 3.1 document of the whole API, built from the code so it cannot drift silently: the paths are `ROUTES`,
 * the reference's operations and schemas come from the Elastic Swagger file unchanged (converted to 3.1), our request
 * bodies are the zod schemas the handlers validate with, and our response schemas are written once below. Tests check
 * that the paths equal `ROUTES` both ways and validate every response the integration suites receive against it.
 * Longer than our ~300-line mark on purpose: it is one declarative document read top to bottom beside the reference;
 * split by path, each response schema would sit away from the others it is compared with.
 */

import { billRequest } from '../bills/schemas.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MEMBER_SORTS, SORT_ORDERS } from '../members/service.ts';
import { MIGRATION_STEPS, STEP_STATUSES } from '../migrations/progress.ts';
import { migrationRequest } from '../migrations/schemas.ts';
import { organizationRequest } from '../organizations/schemas.ts';
import { resourceRequest } from '../resources/schemas.ts';
import { ROUTES } from '../routes.ts';
import {
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_WINDOW_SECONDS,
  REPLAYED_HEADER,
  takesIdempotencyKey,
} from '../shared/idempotency.ts';
import { DEPLOYMENT_ROLES, ORGANIZATION_ROLES, PROJECT_ROLES, ROLE_CATALOGUE } from '../shared/roles.ts';
import * as z from '../shared/schema.ts';
import { SEARCH_KEY_CHARS } from '../shared/table.ts';
import { repositoryRequest } from '../snapshots/schemas.ts';
import apiKeys from './reference/elastic-cloud-api-keys.json' with { type: 'json' };
import domainClaims from './reference/elastic-cloud-domain-claims.json' with { type: 'json' };
import idpRoleMappings from './reference/elastic-cloud-idp-role-mappings.json' with { type: 'json' };
import swagger from './reference/elastic-cloud-organizations-api.json' with { type: 'json' };

type Json = Record<string, unknown>;
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string }
  ? `${M} ${P}`
  : never;
/** `METHOD /path` of every route, one per route (distributed over the union, not a cross product). */
export type RouteKey = KeyOf<(typeof ROUTES)[number]>;

const REF_BASE = '/api/v1';
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ERROR = ref('BasicFailedReply');

/** Swagger 2.0 `$ref`s point into `definitions`; OpenAPI 3.1 keeps schemas under `components/schemas`. */
function convertSchema<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/definitions/', '"#/components/schemas/')) as T;
}

interface SwaggerParam {
  name: string;
  in: 'path' | 'query' | 'body' | 'header';
  description?: string;
  required?: boolean;
  type?: string;
  schema?: unknown;
}
interface SwaggerResponse {
  description: string;
  schema?: unknown;
  headers?: Record<string, { type: string; description?: string; enum?: string[] }>;
}
interface SwaggerOperation {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  parameters?: SwaggerParam[];
  responses: Record<string, SwaggerResponse>;
  [extension: `x-${string}`]: unknown;
}
const reference = swagger as unknown as {
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions: Record<string, unknown>;
};

/**
 * The domain-claim operations are not in the Swagger subset: they come from an OpenAPI 3 conversion of the same API
 * (`reference/elastic-cloud-domain-claims.json`), already in the form this document uses.
 */
type Oas3Reference = {
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, unknown> };
};
/**
 * The IdP and role-mapping operations (`reference/elastic-cloud-idp-role-mappings.json`) come from the same file; the API
 * key operations (`reference/elastic-cloud-api-keys.json`) from its Authentication part.
 */
const referenceOas3: Oas3Reference = [domainClaims, idpRoleMappings, apiKeys].reduce<Oas3Reference>(
  (all, part) => {
    const file = part as unknown as Oas3Reference;
    return {
      paths: { ...all.paths, ...file.paths },
      components: { schemas: { ...all.components.schemas, ...file.components.schemas } },
    };
  },
  { paths: {}, components: { schemas: {} } },
);

/** One reference operation in OpenAPI 3.1 form: body parameter to `requestBody`, `schema` to `content`. */
function fromReference(op: SwaggerOperation): Json {
  const params = op.parameters ?? [];
  const body = params.find((p) => p.in === 'body');
  const responses: Record<string, Json> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.headers
        ? {
            headers: Object.fromEntries(
              Object.entries(r.headers).map(([name, h]) => [
                name,
                {
                  ...(h.description ? { description: h.description } : {}),
                  schema: { type: h.type, ...(h.enum ? { enum: h.enum } : {}) },
                },
              ]),
            ),
          }
        : {}),
      ...(r.schema ? { content: json(convertSchema(r.schema)) } : {}),
    };
  }
  const extensions = Object.fromEntries(Object.entries(op).filter(([k]) => k.startsWith('x-')));
  return {
    ...(op.tags ? { tags: op.tags } : {}),
    ...(op.summary ? { summary: op.summary } : {}),
    ...(op.description ? { description: op.description } : {}),
    ...(op.operationId ? { operationId: op.operationId } : {}),
    parameters: params
      .filter((p) => p.in !== 'body')
      .map((p) => ({
        name: p.name,
        in: p.in,
        ...(p.description ? { description: p.description } : {}),
        required: p.in === 'path' ? true : (p.required ?? false),
        schema: { type: p.type ?? 'string' },
      })),
    ...(body
      ? {
          requestBody: {
            ...(body.description ? { description: body.description } : {}),
            required: body.required ?? false,
            content: json(convertSchema(body.schema)),
          },
        }
      : {}),
    responses,
    ...extensions,
  };
}

/** A request schema as JSON Schema 2020-12, from the zod/mini schema the handler validates with. */
function bodyOf(schema: z.ZodMiniType): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  return rest;
}

const dateTime = { type: 'string', format: 'date-time' };
const str = { type: 'string' };
const obj = (properties: Json, required: string[], description?: string): Json => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  required,
  additionalProperties: false,
});

const roleIds = [
  ...ORGANIZATION_ROLES,
  ...DEPLOYMENT_ROLES,
  ...Object.values(PROJECT_ROLES).flat(),
] as readonly string[];

/** Our own response shapes (the reference's live in its `definitions`). */
const OUR_SCHEMAS: Record<string, Json> = {
  Health: obj({ ok: { type: 'boolean' } }, ['ok']),
  ScimToken: obj(
    {
      exists: { type: 'boolean', description: 'Whether the organization has a SCIM token.' },
      created_at: { type: 'string', format: 'date-time' },
      base_url: {
        type: 'string',
        description:
          'The SCIM base URL to paste into the IdP (Okta: SCIM connector base URL; Entra ID: Tenant URL).',
      },
      token: {
        type: 'string',
        description:
          'Only in the answer to POST: the token itself (`scim_<organization id>_<secret>`), shown once.',
      },
    },
    ['exists', 'base_url'],
  ),
  Me: obj(
    {
      user_id: {
        type: 'string',
        description: 'Your user id (the `sub` claim); `me` stands for it in paths.',
      },
      email: { type: 'string', description: 'Your email address (lower-cased).' },
      name: { type: ['string', 'null'] },
      email_verified: { type: 'boolean' },
      organization: {
        description: 'The organization you belong to, or null (a user belongs to at most one).',
        oneOf: [ref('Organization'), { type: 'null' }],
      },
      role_assignments: {
        ...ref('RoleAssignments'),
        description: 'Your roles in that organization (`{}` without one).',
      },
    },
    ['user_id', 'email', 'name', 'email_verified', 'organization', 'role_assignments'],
    'Who the signed-in caller is.',
  ),
  MyInvitations: obj(
    {
      invitations: {
        type: 'array',
        items: {
          allOf: [
            ref('OrganizationInvitation'),
            {
              type: 'object',
              properties: {
                invited_by: obj(
                  { email: str, name: { type: ['string', 'null'] } },
                  ['email', 'name'],
                  'Who sent it: their address, and their name when their sign-in carried one.',
                ),
              },
              required: ['invited_by'],
            },
          ],
        },
      },
    },
    ['invitations'],
    'Pending invitations sent to your verified address, newest first.',
  ),
  Resource: obj(
    {
      id: str,
      organization_id: str,
      kind: { enum: ['deployment', 'project'] },
      type: {
        type: 'string',
        description: 'Deployments: `hosted`; projects: `elasticsearch`, `observability` or `security`.',
      },
      name: str,
      configuration: { type: 'object', description: 'Any JSON object of at most 16 KiB, read back exactly.' },
      status: { const: 'active' },
      created_at: { ...dateTime, description: 'When it was created, or restored (see `restored_from`).' },
      restored_from: obj(
        { source_id: { type: 'string', description: 'Its id in the organization it came from.' } },
        ['source_id'],
        'Present when a migration restored it from a snapshot: it was moved here, and `created_at` is when.',
      ),
    },
    ['id', 'organization_id', 'kind', 'type', 'name', 'configuration', 'status', 'created_at'],
    'A deployment or a project.',
  ),
  Deployments: obj({ deployments: { type: 'array', items: ref('Resource') } }, ['deployments']),
  Projects: obj({ projects: { type: 'array', items: ref('Resource') } }, ['projects']),
  Bill: obj(
    {
      id: str,
      organization_id: str,
      amount_cents: { type: 'integer' },
      currency: str,
      description: str,
      status: { enum: ['pending', 'settled'] },
      created_at: dateTime,
      settled_at: dateTime,
      settled_by: str,
    },
    ['id', 'organization_id', 'amount_cents', 'currency', 'description', 'status', 'created_at'],
  ),
  Bills: obj({ bills: { type: 'array', items: ref('Bill') } }, ['bills']),
  SnapshotRepository: obj({ id: str, user_id: str, name: str, created_at: dateTime }, [
    'id',
    'user_id',
    'name',
    'created_at',
  ]),
  SnapshotRepositories: obj({ repositories: { type: 'array', items: ref('SnapshotRepository') } }, [
    'repositories',
  ]),
  Snapshot: obj(
    {
      repository_id: str,
      migration_id: str,
      source_kind: { enum: ['deployment', 'project'] },
      source_id: str,
      source_organization_id: str,
      type: str,
      name: str,
      configuration: { type: 'object' },
      checksum: { type: 'string', description: 'SHA-256 of kind, type, name and configuration.' },
      status: {
        enum: ['taken', 'verified', 'source_deleted', 'discarded'],
        description:
          '`taken`, then `verified`, then `source_deleted` when the migration deleted the source; `discarded` when you deleted the source yourself during the move (it is not restored).',
      },
      created_at: dateTime,
    },
    [
      'repository_id',
      'migration_id',
      'source_kind',
      'source_id',
      'source_organization_id',
      'type',
      'name',
      'configuration',
      'checksum',
      'status',
      'created_at',
    ],
    'What is needed to recreate a deployment or project exactly.',
  ),
  Snapshots: obj({ snapshots: { type: 'array', items: ref('Snapshot') } }, ['snapshots']),
  MigrationStep: obj(
    {
      step: {
        type: 'string',
        description: `One of ${MIGRATION_STEPS.map((s) => `"${s.name}"`).join(', ')}, in that order; then the compensations or a re-run restore when they ran.`,
      },
      status: {
        enum: [...STEP_STATUSES],
        description:
          '`waiting`: not started yet, or (the acceptance wait) waiting for you to accept; `running`: in progress; `succeeded`; `failed`; `cancelled`: the step a cancel stopped, with the error `MigrationCancelled`; `skipped`: does not run in this migration (nothing to back up or restore, or the run stopped before it).',
      },
      started_at: dateTime,
      finished_at: dateTime,
      error: str,
    },
    ['step', 'status'],
  ),
  Migration: obj(
    {
      id: { type: 'string', description: 'Also the name of its Step Functions execution.' },
      user_id: str,
      email: str,
      source_organization_id: str,
      target_organization_id: str,
      repository_id: str,
      status: { enum: ['running', 'succeeded', 'failed', 'cancelled'] },
      current_step: str,
      history: { type: 'array', items: ref('MigrationStep') },
      plan: obj(
        {
          sole_member: { type: 'boolean' },
          backup: { type: 'boolean' },
          resources: {
            type: 'array',
            items: obj({ kind: { enum: ['deployment', 'project'] }, id: str }, ['kind', 'id']),
          },
        },
        ['sole_member', 'backup', 'resources'],
      ),
      leaving_at: {
        ...dateTime,
        description: 'When the leave began: from then on a cancel stops, not rolls back.',
      },
      left_at: dateTime,
      cancel_requested_at: dateTime,
      restored: {
        type: 'object',
        additionalProperties: str,
        description: '`<kind>:<source id>` to the restored id in the target organization.',
      },
      error: str,
      cause: { type: 'string', description: 'What happened and what to do next.' },
      created_at: dateTime,
      updated_at: dateTime,
      finished_at: dateTime,
    },
    [
      'id',
      'user_id',
      'email',
      'source_organization_id',
      'target_organization_id',
      'repository_id',
      'status',
      'current_step',
      'history',
      'created_at',
      'updated_at',
    ],
  ),
  Migrations: obj({ migrations: { type: 'array', items: ref('Migration') } }, ['migrations']),
  OpenApiDocument: { type: 'object', required: ['openapi', 'info', 'paths'] },
  RoleId: {
    enum: roleIds,
    description: Object.entries(ROLE_CATALOGUE)
      .map(([id, r]) => `\`${id}\` (${r.scope}): ${r.allows}`)
      .join('\n'),
  },
};

interface OurOperation {
  tags: string[];
  summary: string;
  description?: string;
  body?: z.ZodMiniType;
  query?: { name: string; description: string }[];
  /** `media`: a non-JSON answer (`text/html` pages, `text/javascript` scripts, `none`: a redirect); JSON otherwise. */
  ok: {
    status: number;
    description: string;
    schema?: Json;
    media?: 'text/html' | 'text/javascript' | 'none';
  };
  /** The other answers are pages (`text/html`) where a browser is what calls (the SSO bridge's ACS, authorize). */
  errorMedia?: 'text/html';
  /** Statuses this route answers besides the common ones, with the codes. */
  errors?: Record<number, string>;
}

const ORG_NOT_FOUND = '`organization.not_found`: no such open organization.';
const NO_ACCESS =
  '`organization.invalid_access`: not a member; `root.invalid_authentication`: roles do not allow it.';

const resourceOps = (kind: 'deployment' | 'project'): Record<string, OurOperation> => {
  const Kind = kind === 'deployment' ? 'Deployments' : 'Projects';
  const list = kind === 'deployment' ? 'Deployments' : 'Projects';
  const who =
    kind === 'deployment'
      ? '`organization-admin` or `deployment-admin` for all deployments'
      : '`organization-admin` or `<type>-admin` for all projects of that type';
  const nf = `\`organization.${kind}_not_found\`: no such ${kind}, or your roles do not cover it.`;
  return {
    create: {
      tags: [Kind],
      summary: `Create a ${kind}`,
      description: `Allowed for ${who}.${kind === 'project' ? ' `type` is required.' : ' `type` is `hosted` (the default).'}`,
      body: resourceRequest,
      ok: { status: 201, description: `The ${kind}.`, schema: ref('Resource') },
      errors: { 403: NO_ACCESS, 404: ORG_NOT_FOUND },
    },
    list: {
      tags: [Kind],
      summary: `List ${kind}s`,
      description: `Members see the ${kind}s their roles cover.`,
      ok: { status: 200, description: `The ${kind}s you may see.`, schema: ref(list) },
      errors: { 403: NO_ACCESS, 404: ORG_NOT_FOUND },
    },
    get: {
      tags: [Kind],
      summary: `Get a ${kind}`,
      ok: { status: 200, description: `The ${kind}.`, schema: ref('Resource') },
      errors: { 403: NO_ACCESS, 404: `${ORG_NOT_FOUND} ${nf}` },
    },
    delete: {
      tags: [Kind],
      summary: `Delete a ${kind}`,
      description: `Allowed for \`organization-admin\` and an admin role covering it.`,
      ok: { status: 200, description: 'Deleted.', schema: ref('EmptyResponse') },
      errors: { 403: NO_ACCESS, 404: `${ORG_NOT_FOUND} ${nf}` },
    },
  };
};
const deployments = resourceOps('deployment');
const projects = resourceOps('project');

const API_KEY_REFUSED = '`root.invalid_authentication`: sent with an API key; only a signed-in person may.';

const MIGRATION_NF = '`migration.not_found`: no such migration of yours.';

/** Every route: `reference` takes the operation from the Elastic file; ours are described here. */
const OPERATIONS: Record<RouteKey, 'reference' | 'scim' | OurOperation> = {
  'GET /api/v1/health': {
    tags: ['Service'],
    summary: 'Health check',
    ok: { status: 200, description: 'The service answers.', schema: ref('Health') },
  },
  'GET /api/v1/openapi.json': {
    tags: ['Service'],
    summary: 'This document',
    description: 'Public and cacheable.',
    ok: { status: 200, description: 'The OpenAPI 3.1 document.', schema: ref('OpenApiDocument') },
  },
  'POST /api/v1/organizations': {
    tags: ['Organizations'],
    summary: 'Create an organization (ours)',
    description:
      'The caller becomes its `organization-admin`. Without a name it is called "<your address\'s local part>\'s organization".',
    body: organizationRequest,
    ok: { status: 201, description: 'The organization.', schema: ref('Organization') },
    errors: {
      400: '`organization.user_organization_already_belongs`: you belong to an organization; `organization.invalid_name`.',
    },
  },
  'GET /api/v1/organizations': 'reference',
  'GET /api/v1/organizations/{organization_id}': 'reference',
  'PUT /api/v1/organizations/{organization_id}': 'reference',
  'POST /api/v1/organizations/{organization_id}/invitations': 'reference',
  'GET /api/v1/organizations/{organization_id}/invitations': 'reference',
  'DELETE /api/v1/organizations/{organization_id}/invitations/{invitation_tokens}': 'reference',
  'GET /api/v1/organizations/invitations/{invitation_token}': 'reference',
  'POST /api/v1/organizations/invitations/{invitation_token}/_accept': 'reference',
  'GET /api/v1/organizations/{organization_id}/members': 'reference',
  'GET /api/v1/organizations/{organization_id}/domains': 'reference',
  'DELETE /api/v1/organizations/{organization_id}/domains': 'reference',
  'POST /api/v1/organizations/{organization_id}/domains/_generate_verification_code': 'reference',
  'POST /api/v1/organizations/{organization_id}/domains/_verify': 'reference',
  'GET /api/v1/organizations/{organization_id}/idp': 'reference',
  'PUT /api/v1/organizations/{organization_id}/idp': 'reference',
  'DELETE /api/v1/organizations/{organization_id}/idp': 'reference',
  'GET /api/v1/organizations/{organization_id}/idp/metadata.xml': 'reference',
  'GET /api/v1/organizations/{organization_id}/role_mappings': 'reference',
  'POST /api/v1/organizations/{organization_id}/role_mappings': 'reference',
  'PUT /api/v1/organizations/{organization_id}/role_mappings': 'reference',
  'DELETE /api/v1/organizations/{organization_id}/role_mappings': 'reference',
  'DELETE /api/v1/organizations/{organization_id}/role_mappings/{role_names}': 'reference',
  'PUT /api/v1/organizations/{organization_id}/role_mappings/{role_name}': 'reference',
  'POST /api/v1/users/auth/keys': 'reference',
  'GET /api/v1/users/auth/keys': 'reference',
  'DELETE /api/v1/users/auth/keys': 'reference',
  'GET /api/v1/users/auth/keys/{api_key_id}': 'reference',
  'DELETE /api/v1/users/auth/keys/{api_key_id}': 'reference',
  'GET /api/v1/sso/.well-known/openid-configuration': {
    tags: ['Single sign-on'],
    summary: "The SSO bridge's OpenID Connect discovery document",
    description:
      "The bridge is an OpenID Connect provider in front of every organization's SAML IdP: Cognito (in AWS) and the local provider federate to it (docs/sso.md).",
    ok: {
      status: 200,
      description: 'The discovery document (issuer `<base>/api/v1/sso`).',
      schema: {
        type: 'object',
        required: ['issuer', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri'],
      },
    },
  },
  'GET /api/v1/sso/jwks.json': {
    tags: ['Single sign-on'],
    summary: "The SSO bridge's public signing keys (JWKS)",
    description: 'RS256; the private key stays in AWS KMS.',
    ok: {
      status: 200,
      description: 'A JSON Web Key Set.',
      schema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array' } } },
    },
  },
  'GET /api/v1/sso/authorize': {
    tags: ['Single sign-on'],
    summary: 'Start an SSO sign-in (OpenID Connect authorization endpoint)',
    description:
      'For the registered clients. `login_hint` is the work address (its verified domain names the organization) or `org:<login_identifier>`; without it a page asks for the address. Redirects to the IdP with a SAML AuthnRequest (HTTP-Redirect binding).',
    ok: {
      status: 302,
      description: "To the organization's IdP, or back to the client with an OAuth error.",
      media: 'none',
    },
    errorMedia: 'text/html',
    errors: {
      200: 'The page asking for a work address (no `login_hint`).',
      400: 'Unknown client or redirect URI, or no organization signs that address in (a page).',
    },
  },
  'POST /api/v1/sso/token': {
    tags: ['Single sign-on'],
    summary: 'Exchange a code (OpenID Connect token endpoint)',
    description:
      '`application/x-www-form-urlencoded`, `grant_type=authorization_code`, client secret (basic or post), PKCE verifier when the code was asked with a challenge. Each code is taken once, within 2 minutes.',
    ok: {
      status: 200,
      description: '`id_token`, `access_token` (5 minutes).',
      schema: { type: 'object', required: ['access_token', 'token_type', 'expires_in', 'id_token'] },
    },
    errors: {
      400: '`invalid_grant`, `unsupported_grant_type` (OAuth error body).',
      401: '`invalid_client`.',
    },
  },
  'GET /api/v1/sso/userinfo': {
    tags: ['Single sign-on'],
    summary: 'The claims of a bridge access token',
    ok: {
      status: 200,
      description: '`sub`, `email`, `email_verified`, `name`, `sso_org`, `groups`.',
      schema: { type: 'object', required: ['sub', 'email', 'sso_org'] },
    },
    errors: { 401: '`invalid_token`.' },
  },
  'GET /api/v1/organizations/{organization_id}/scim/token': {
    tags: ['SCIM provisioning'],
    summary: 'Whether the organization has a SCIM token (ours)',
    description:
      'Never the token itself: only its hash is stored. Also the SCIM base URL to paste into the IdP.',
    ok: { status: 200, description: 'The token status.', schema: ref('ScimToken') },
    errors: { 403: NO_ACCESS, 404: ORG_NOT_FOUND },
  },
  'POST /api/v1/organizations/{organization_id}/scim/token': {
    tags: ['SCIM provisioning'],
    summary: 'Create or rotate the SCIM token (ours)',
    description:
      'The answer holds the token, once (only its SHA-256 is stored). A previous token stops working at once. docs/scim.md says what to paste where.',
    ok: { status: 201, description: 'The new token.', schema: ref('ScimToken') },
    errors: { 403: NO_ACCESS, 404: ORG_NOT_FOUND },
  },
  'DELETE /api/v1/organizations/{organization_id}/scim/token': {
    tags: ['SCIM provisioning'],
    summary: 'Delete the SCIM token (ours)',
    description: 'Provisioning stops: every SCIM request answers 401 until a new token is created.',
    ok: { status: 200, description: 'Deleted (also when there was none).', schema: obj({}, []) },
    errors: { 403: NO_ACCESS, 404: ORG_NOT_FOUND },
  },
  'GET /scim/v2/{organization_id}/{resource}': 'scim',
  'POST /scim/v2/{organization_id}/{resource}': 'scim',
  'GET /scim/v2/{organization_id}/{resource}/{resource_id}': 'scim',
  'PUT /scim/v2/{organization_id}/{resource}/{resource_id}': 'scim',
  'PATCH /scim/v2/{organization_id}/{resource}/{resource_id}': 'scim',
  'DELETE /scim/v2/{organization_id}/{resource}/{resource_id}': 'scim',
  'POST /api/v1/saml/acs/{organization_id}': {
    tags: ['Single sign-on'],
    summary: 'The assertion consumer service (SAML HTTP-POST binding)',
    description:
      "Where the organization's IdP posts its signed answer (`SAMLResponse`, `RelayState`). Verified, then the person joins, is linked or gets their mapped roles in one transaction, and goes back to the client with a one-time code.",
    ok: {
      status: 303,
      description: 'Back to the OpenID Connect client with `code` and `state`.',
      media: 'none',
    },
    errorMedia: 'text/html',
    errors: {
      400: 'Not an answer to a sign-in started here, or the sign-in expired (HTML).',
      403: 'The answer is refused (signature, audience, time, replay) or the address is not in a verified domain (HTML).',
      404: 'Single sign-on is off for this organization (HTML).',
      409: 'The person belongs to another organization: the page offers the move (HTML).',
      413: 'The form is too large (HTML).',
      415: 'Not a form (HTML).',
    },
  },
  'GET /api/v1/saml/login/{login_identifier}': {
    tags: ['Single sign-on'],
    summary: "The IdP's `sso_login_url`: sign in to this organization through its IdP",
    ok: { status: 302, description: 'To the console, which starts the SSO sign-in.', media: 'none' },
  },
  'GET /invitations/{token}': {
    tags: ['Invitations'],
    summary: 'The invitation page (HTML)',
    description:
      'The page the emailed link opens: the invitation and an Accept button, or what to do next when the link is used, expired, revoked or unknown.',
    ok: { status: 200, description: 'A pending invitation.', media: 'text/html' },
    errors: { 404: 'Unknown link (HTML).', 410: 'Used, expired or revoked (HTML).' },
  },
  'GET /auth/callback': {
    tags: ['Sign-in'],
    summary: 'The sign-in redirect page (HTML)',
    description:
      "The pages' redirect URI: its script checks the state, exchanges the one-time code for tokens (PKCE) in the browser and goes back. The server never reads the code.",
    ok: { status: 200, description: 'The page.', media: 'text/html' },
  },
  'GET /assets/{file}': {
    tags: ['Sign-in'],
    summary: "The pages' scripts",
    description:
      'The bundled browser scripts of the invitation page and the sign-in redirect, from this origin only.',
    ok: { status: 200, description: 'The script (revalidated by ETag).', media: 'text/javascript' },
    errors: { 404: '`root.not_found`: no such file.' },
  },
  'DELETE /api/v1/organizations/{organization_id}/members/{user_ids}': 'reference',
  'POST /api/v1/users/{user_id}/role_assignments': 'reference',
  'DELETE /api/v1/users/{user_id}/role_assignments': 'reference',
  'GET /api/v1/users/me': {
    tags: ['Users'],
    summary: 'Who am I',
    description:
      'Your user id, email, name, whether the email is verified, your organization (or null) and your role assignments there. One read of your user record and, in an organization, one batch read of it and your membership.',
    ok: { status: 200, description: 'You.', schema: ref('Me') },
  },
  'GET /api/v1/users/me/invitations': {
    tags: ['Users'],
    summary: 'Invitations waiting for you (ours)',
    description:
      'The pending, unexpired invitations sent to your email address, from every organization, with their organization, roles, inviter and expiry. Each carries its `token`, the one the emailed link holds: accept with `POST /api/v1/organizations/invitations/{invitation_token}/_accept`. Addresses compare case-insensitively. Only for a verified address, since the token lets its holder accept. One query of the invitations by address and one batch read of their organizations.',
    ok: { status: 200, description: 'Newest first; empty when none.', schema: ref('MyInvitations') },
    errors: {
      403: '`organization.invitation_email_not_verified`: your identity provider has not verified your email address.',
    },
  },
  'POST /api/v1/organizations/{organization_id}/deployments': deployments.create!,
  'GET /api/v1/organizations/{organization_id}/deployments': deployments.list!,
  'GET /api/v1/organizations/{organization_id}/deployments/{deployment_id}': deployments.get!,
  'DELETE /api/v1/organizations/{organization_id}/deployments/{deployment_id}': deployments.delete!,
  'POST /api/v1/organizations/{organization_id}/projects': projects.create!,
  'GET /api/v1/organizations/{organization_id}/projects': projects.list!,
  'GET /api/v1/organizations/{organization_id}/projects/{project_id}': projects.get!,
  'DELETE /api/v1/organizations/{organization_id}/projects/{project_id}': projects.delete!,
  'GET /api/v1/organizations/{organization_id}/bills': {
    tags: ['Bills'],
    summary: 'List bills',
    description: '`organization-admin` and `billing-admin` only.',
    ok: { status: 200, description: 'Newest first.', schema: ref('Bills') },
    errors: { 403: NO_ACCESS, 404: ORG_NOT_FOUND },
  },
  'POST /api/v1/organizations/{organization_id}/bills': {
    tags: ['Bills'],
    summary: 'Raise a bill (operators)',
    description: "Operators only: the identity provider's `operators` group (`cognito:groups` claim).",
    body: billRequest,
    ok: { status: 201, description: 'The pending bill.', schema: ref('Bill') },
    errors: { 403: '`root.invalid_authentication`: not an operator.', 404: ORG_NOT_FOUND },
  },
  'POST /api/v1/organizations/{organization_id}/bills/{bill_id}/_settle': {
    tags: ['Bills'],
    summary: 'Settle a bill',
    ok: { status: 200, description: 'The settled bill.', schema: ref('Bill') },
    errors: {
      400: '`organization.bill_already_settled`.',
      403: NO_ACCESS,
      404: `${ORG_NOT_FOUND} \`organization.bill_not_found\`.`,
    },
  },
  'POST /api/v1/users/me/snapshot-repositories': {
    tags: ['Snapshot repositories'],
    summary: 'Create a snapshot repository',
    description: 'Repositories belong to you, not to an organization, so they survive leaving.',
    body: repositoryRequest,
    ok: { status: 201, description: 'The repository.', schema: ref('SnapshotRepository') },
    errors: { 403: API_KEY_REFUSED },
  },
  'GET /api/v1/users/me/snapshot-repositories': {
    tags: ['Snapshot repositories'],
    summary: 'List your snapshot repositories',
    ok: { status: 200, description: 'Your repositories.', schema: ref('SnapshotRepositories') },
  },
  'GET /api/v1/users/me/snapshot-repositories/{repository_id}/snapshots': {
    tags: ['Snapshot repositories'],
    summary: 'List the snapshots in one of your repositories',
    ok: { status: 200, description: 'The snapshots.', schema: ref('Snapshots') },
    errors: { 404: '`snapshot_repository.not_found`.' },
  },
  'POST /api/v1/migrations': {
    tags: ['Migrations'],
    summary: 'Move to another organization, with your deployments',
    description:
      "Needs a pending invitation to the target for your email (the target admin's consent; it carries your roles). When you are the sole member of your organization, its deployments and projects are backed up into your repository, deleted, and restored in the target after you accept; you then also get `deployment-admin` on each deployment and `<type>-admin` on each project you brought (scoped to the restored ids), so nothing you own becomes invisible to you whatever roles the invitation gave. A repeated request answers 200 with the active migration.",
    body: migrationRequest,
    ok: { status: 201, description: 'Started.', schema: ref('Migration') },
    errors: {
      200: 'The same migration is already running: it is returned.',
      400: '`migration.invitation_required`, `migration.invalid_target`, `migration.not_member`.',
      403: `${API_KEY_REFUSED} \`org.idp.sso_required\`: your organization requires a sign-in through its IdP to act on it (moving out included).`,
      404: '`snapshot_repository.not_found`.',
      409: '`migration.already_active`: another migration of yours is running.',
    },
  },
  'GET /api/v1/migrations': {
    tags: ['Migrations'],
    summary: 'List your migrations',
    ok: { status: 200, description: 'Newest first (up to 50).', schema: ref('Migrations') },
  },
  'GET /api/v1/migrations/{migration_id}': {
    tags: ['Migrations'],
    summary: 'A migration: status, current step and every step of the workflow',
    ok: { status: 200, description: 'The migration.', schema: ref('Migration') },
    errors: { 404: MIGRATION_NF },
  },
  'POST /api/v1/migrations/{migration_id}/_cancel': {
    tags: ['Migrations'],
    summary: 'Cancel a running migration',
    description:
      'Before it leaves the source organization the migration rolls back (nothing changes); after, its execution stops and the migration ends `cancelled` with every snapshot kept for `_restore`. Safe to repeat.',
    ok: { status: 202, description: 'The migration, cancelling or cancelled.', schema: ref('Migration') },
    errors: {
      403: API_KEY_REFUSED,
      400: '`migration.cancel_not_possible`: it has already ended.',
      404: MIGRATION_NF,
      409: '`migration.busy`: it is leaving the source organization right now; retry after `Retry-After`.',
    },
  },
  'POST /api/v1/migrations/{migration_id}/_restore': {
    tags: ['Migrations'],
    summary: 'Restore again after a failure past leaving',
    description:
      'Once you have joined the target organization: restores and verifies every snapshot there and grants you the admin roles on what you brought. Safe to retry.',
    ok: { status: 200, description: 'The migration, succeeded.', schema: ref('Migration') },
    errors: {
      403: API_KEY_REFUSED,
      400: '`migration.restore_not_possible`.',
      404: `${MIGRATION_NF} ${ORG_NOT_FOUND}`,
    },
  },
};

/** What `me` does where a reference route accepts it. */
const REFERENCE_NOTES: Partial<Record<RouteKey, string>> = {
  'DELETE /api/v1/organizations/{organization_id}/members/{user_ids}':
    'Ours: removing yourself is leaving, and `me` stands for your own id (`…/members/me`).',
  'POST /api/v1/users/{user_id}/role_assignments': 'Ours: `me` stands for your own id.',
  'DELETE /api/v1/users/{user_id}/role_assignments': 'Ours: `me` stands for your own id.',
  'GET /api/v1/organizations/{organization_id}/members':
    'Ours (the reference lists every member at once, in no stated order, with no parameters): pages (`size`, `next`), a stable order (`sort`, `order`), a prefix search (`q`) and the `total`; no offset paging (`from` answers 400: a cursor costs the same on any page). Each page is one Query of a list kept on the membership items, so a page costs the same in an organization of 10 or 10,000 members; lists are read from an index, eventually consistent: a member who joined or left a moment ago may still be missing or listed. `?include=invitations` (organization-admins) adds the open `invitations` to the first page and a `status` on every row.',
  'POST /api/v1/organizations/{organization_id}/invitations':
    'Ours: `emails` may also be one string of addresses separated by spaces, commas or semicolons; `expires_in` is a duration such as `72h`, `3d` or `90m`.',
  'GET /api/v1/organizations/{organization_id}/domains':
    'Ours: organization-admins only; the verified domains, sorted (pending claims are not listed).',
  'POST /api/v1/organizations/{organization_id}/domains/_generate_verification_code':
    'Ours: publish the code as the value of a TXT record named `_elastic-cloud-verification.<domain>` (also in `record`), then verify. Domains are compared in lower-case ASCII (IDNA), without a trailing dot; IP addresses, single labels, wildcards and public mail domains (gmail.com…) are refused. Asking again while the claim is pending returns the same code.',
  'POST /api/v1/organizations/{organization_id}/domains/_verify':
    'Ours: the 449 body is an error (`org.domain_claim.verification_pending`) naming the record to publish; retry once DNS shows it. A domain belongs to one organization at a time: the one whose verification commits first holds it, the others get `org.domain_claim.already_exists`. Verifying again answers 200.',
  'DELETE /api/v1/organizations/{organization_id}/domains':
    'Ours: `domain_claim_request` is the domain; its claim (pending or verified) is deleted and the domain is free for any organization. No claim there answers 200.',
  'PUT /api/v1/organizations/{organization_id}/idp':
    'Ours: organization-admins only. Needs a verified claimed domain (400 `org.idp.no_verified_domain`). `public_certificate` holds 1-4 PEM X.509 certificates (or the base64 of their DER), each valid now, with an RSA key of 2048 bits or more or an EC key on P-256/384/521; a refused one is named with why. `login_identifier` is `<login_identifier_prefix>-<organization id>`. `sp_entity_id` and `acs` are what the IdP needs; `signing_certificate` and `encryption_certificate` are empty (requests are not signed, assertions not encrypted). While an IdP is configured, claimed domains cannot be deleted.',
  'GET /api/v1/organizations/{organization_id}/idp/metadata.xml':
    'Ours: organization-admins only. Our SAML 2.0 service-provider metadata for this organization (entity id, the HTTP-POST assertion consumer service, `WantAssertionsSigned="true"`). Errors are JSON.',
  'DELETE /api/v1/organizations/{organization_id}/idp':
    'Ours: organization-admins only. Refused (400 `org.role_mapping_rule.admin_unreachable`) when every organization-admin joined through SSO.',
  'POST /api/v1/organizations/{organization_id}/role_mappings':
    'Ours: organization-admins only. A rule has `any` or `all` (not both: `ambiguous_rule`) over up to 20 rules, each with `group` or `email` (not both); `*` stands for any run of characters. Groups compare case-sensitively, emails in lower case. Names are 1-64 letters, digits, `_`, `.`, `-`; a name in use answers 400 `org.role_mapping_rule.already_exists`. At most 40 mappings. Role assignments are checked as everywhere (`role_assignments.invalid_config`), scoped to this organization. An SSO sign-in gets the union of the roles of every enabled mapping that matches.',
  'PUT /api/v1/organizations/{organization_id}/role_mappings':
    'Ours: the mappings become exactly these. Refused (400 `org.role_mapping_rule.admin_unreachable`) when no organization-admin would stay reachable (no enabled mapping granting it while SSO is on, and no member holding it who joined without SSO).',
  'DELETE /api/v1/organizations/{organization_id}/role_mappings':
    'Ours: deletes every mapping, with the same reachability rule.',
  'DELETE /api/v1/organizations/{organization_id}/role_mappings/{role_names}':
    'Ours: up to 40 comma-separated names; `mappings` lists those deleted (names not there are skipped).',
  'PUT /api/v1/organizations/{organization_id}/role_mappings/{role_name}':
    'Ours: a different `mapping.name` renames the mapping (400 `org.role_mapping_rule.already_exists` when taken).',
  'POST /api/v1/users/auth/keys':
    'Ours: a member makes a key for themselves in their organization, signed in (a key cannot make keys: 403 `root.invalid_authentication`). `expiration` is a duration from `1m` to `365d` (`s`, `m`, `h`, `d`), or `"never"` (or null); absent, 90 days. `role_assignments` (default: your roles now) are checked as everywhere and must be among your own (400 `api_keys.invalid_input`); the key acts with what both its roles and your roles at the time of each request allow. `key` (`omk_<id>_<secret>`) is shown only in this answer; send it as `Authorization: ApiKey <key>`. The header `x-api-key-expires-at` gives the expiry (ISO 8601, or `never`). At most 100 keys per person. See docs/api-keys.md.',
  'GET /api/v1/users/auth/keys':
    'Ours: your own keys, newest first, without `key`; one page (no `next_page`).',
  'DELETE /api/v1/users/auth/keys':
    'Ours: deletes those of the listed keys that are yours; the next request with one gets 401. None of them yours: 404 `api_keys.key_not_found`. A key cannot delete keys (403).',
  'GET /api/v1/users/auth/keys/{api_key_id}': "Ours: only the creator's own key; anyone else's is 404.",
  'DELETE /api/v1/users/auth/keys/{api_key_id}':
    'Ours: up to 100 comma-separated ids; those that are yours are deleted (404 when none is).',
};

/**
 * Optional fields of ours on the reference's schemas (its own fields stay as written), so the document, and the typed
 * client generated from it, say everything the service answers.
 */
const REFERENCE_FIELDS: Record<string, Record<string, Json>> = {
  OrganizationInvitation: {
    email_status: {
      type: 'string',
      enum: ['queued', 'sent', 'failed', 'unsent'],
      description:
        'Ours, on the invitations list: where the invitation email is (`failed` with `email_error`).',
    },
    email_error: {
      type: 'string',
      description: 'Ours: why the email could not be delivered, and what to do.',
    },
    status: {
      type: 'string',
      enum: ['pending', 'expired'],
      description: 'Ours, with `?include=invitations` on the members list.',
    },
  },
  OrganizationMembership: {
    status: { type: 'string', enum: ['active'], description: 'Ours, with `?include=invitations`.' },
    joined_through: {
      type: 'string',
      enum: ['invitation', 'sso', 'scim', 'created'],
      description:
        "Ours: how they joined: an invitation, a sign-in through the organization's IdP, provisioned by that IdP through SCIM, or creating the organization.",
    },
    sso_signed_in_at: {
      type: 'string',
      format: 'date-time',
      description:
        "Ours: their last sign-in through the organization's IdP (their roles are the mapped ones since).",
    },
  },
  IdpConfigurationRequest: {
    sso_required: {
      type: 'boolean',
      description:
        'Ours (default false): members whose address is in a verified domain act on the organization only after a sign-in through its IdP (403 `org.idp.sso_required` otherwise); members outside those domains keep signing in as before.',
    },
  },
  OrganizationIdpConfiguration: {
    sso_required: {
      type: 'boolean',
      description:
        'Ours (default false): members whose address is in a verified domain act on the organization only after a sign-in through its IdP (403 `org.idp.sso_required` otherwise); members outside those domains keep signing in as before.',
    },
  },
  VerificationCodeResponse: {
    record: {
      type: 'string',
      description:
        'Ours: the name of the TXT record to publish the code in (`_elastic-cloud-verification.<domain>`).',
    },
  },
  OrganizationMemberships: {
    total: {
      type: 'integer',
      minimum: 0,
      description:
        'Ours, always present: the members of the organization (its member counter, exact: kept by the same transactions that add and remove members); with `q`, the members matching the search.',
    },
    next: {
      type: 'string',
      description:
        'Ours: pass as `?next=` (with the same `sort`, `order` and `q`) for the next page; absent on the last.',
    },
    invitations: {
      type: 'array',
      items: ref('OrganizationInvitation'),
      description: 'Ours, with `?include=invitations` (organization-admins): the open invitations.',
    },
  },
};

function withOurFields(schemas: Record<string, unknown>): Record<string, unknown> {
  const out = { ...schemas };
  for (const [name, fields] of Object.entries(REFERENCE_FIELDS)) {
    const schema = out[name] as { properties?: Json } | undefined;
    if (!schema?.properties) throw new Error(`the reference has no schema ${name} with properties`);
    out[name] = { ...schema, properties: { ...schema.properties, ...fields } };
  }
  return out;
}

/** Query parameters of ours on reference routes (the reference declares none), so typed clients can send them. */
const REFERENCE_QUERY: Partial<Record<RouteKey, { name: string; description: string; schema: Json }[]>> = {
  'GET /api/v1/organizations/{organization_id}/members': [
    {
      name: 'size',
      description: `Members per page, 1-${MAX_PAGE_SIZE}.`,
      schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
    },
    {
      name: 'next',
      description: 'The `next` of the previous page (same `sort`, `order` and `q`).',
      schema: str,
    },
    {
      name: 'sort',
      description:
        '`role` (the default without `q`): organization owners (`organization-admin`) first, then by name; `name`: by name; `email`: by email address. Names compare without case or accents; a member without a name sorts by their address. Ties: by user id.',
      schema: { type: 'string', enum: [...MEMBER_SORTS] },
    },
    {
      name: 'order',
      description: '`asc` (the default) or `desc` (the whole order reversed: with `sort=role`, owners last).',
      schema: { type: 'string', enum: [...SORT_ORDERS], default: 'asc' },
    },
    {
      name: 'q',
      description: `Only members whose name (\`sort=name\`, the default with \`q\`; a member without a name by their address) or email address (\`sort=email\`) starts with this, ignoring case and accents; at most ${SEARCH_KEY_CHARS} characters; not with \`sort=role\`. \`total\` then counts the matches (a COUNT query over them on the first page, carried by \`next\` to the later ones: a first page matching thousands costs more than a page).`,
      schema: { type: 'string', maxLength: SEARCH_KEY_CHARS },
    },
    {
      name: 'include',
      description:
        '`invitations` (organization-admins): add the open invitations and a `status` on every row.',
      schema: { type: 'string', enum: ['invitations'] },
    },
  ],
};

/**
 * Answers of ours on reference routes that the reference does not list (its own stay exactly as written): mostly
 * authorization (403 where the reference says nothing) and our rules (the last admin, a sole member's resources).
 */
const DOMAIN_ADMINS =
  '`organization.invalid_access`, `root.invalid_authentication`: organization-admins only.';
const DOMAIN_INPUT =
  '`root.invalid_data`: not a domain name (naming the problem), a public mail domain, or (verifying) no code generated for it.';
const REFERENCE_EXTRA: Partial<Record<RouteKey, Record<number, string>>> = {
  'POST /api/v1/users/auth/keys': {
    403: '`root.invalid_authentication`: sent with an API key (keys are made by a signed-in person).',
  },
  'DELETE /api/v1/users/auth/keys': {
    403: '`root.invalid_authentication`: sent with an API key.',
    404: '`api_keys.key_not_found`: none of the keys is yours.',
  },
  'DELETE /api/v1/users/auth/keys/{api_key_id}': {
    403: '`root.invalid_authentication`: sent with an API key.',
  },
  'GET /api/v1/organizations/{organization_id}/domains': { 403: DOMAIN_ADMINS },
  'DELETE /api/v1/organizations/{organization_id}/domains': { 403: DOMAIN_ADMINS },
  'POST /api/v1/organizations/{organization_id}/domains/_generate_verification_code': {
    400: `${DOMAIN_INPUT} \`org.domain_claim.already_exists\`: this or another organization holds the domain; \`org.domain_claim.limit_reached\`.`,
    403: DOMAIN_ADMINS,
    409: '`org.domain_claim.concurrent_organization_modification`: the claims kept changing; nothing was changed, retry.',
  },
  'POST /api/v1/organizations/{organization_id}/domains/_verify': { 403: DOMAIN_ADMINS },
  'GET /api/v1/organizations/{organization_id}/idp': { 403: DOMAIN_ADMINS },
  'PUT /api/v1/organizations/{organization_id}/idp': {
    400: '`root.invalid_data` (naming the field; a refused certificate is named with why), `org.idp.no_verified_domain`, `org.role_mapping_rule.admin_unreachable`.',
    403: DOMAIN_ADMINS,
    409: '`organization.conflict`: the SSO settings or your roles kept changing; nothing was changed, retry.',
  },
  'DELETE /api/v1/organizations/{organization_id}/idp': {
    400: '`org.role_mapping_rule.admin_unreachable`.',
    403: DOMAIN_ADMINS,
  },
  'GET /api/v1/organizations/{organization_id}/idp/metadata.xml': { 403: DOMAIN_ADMINS },
  'GET /api/v1/organizations/{organization_id}/role_mappings': { 403: DOMAIN_ADMINS },
  'POST /api/v1/organizations/{organization_id}/role_mappings': { 403: DOMAIN_ADMINS },
  'PUT /api/v1/organizations/{organization_id}/role_mappings': { 403: DOMAIN_ADMINS },
  'DELETE /api/v1/organizations/{organization_id}/role_mappings': {
    400: '`org.role_mapping_rule.admin_unreachable`.',
    403: DOMAIN_ADMINS,
  },
  'DELETE /api/v1/organizations/{organization_id}/role_mappings/{role_names}': {
    400: '`org.role_mapping_rule.admin_unreachable`, `root.invalid_data` (a name that is not one).',
    403: DOMAIN_ADMINS,
  },
  'PUT /api/v1/organizations/{organization_id}/role_mappings/{role_name}': { 403: DOMAIN_ADMINS },
  'POST /api/v1/organizations/{organization_id}/invitations': {
    502: '`organization.invitation_email_failed`: saved, but an email could not be sent; send the same request again.',
  },
  'GET /api/v1/organizations/{organization_id}/invitations': {
    403: '`organization.invalid_access`, `root.invalid_authentication`: organization-admins only.',
  },
  'DELETE /api/v1/organizations/{organization_id}/invitations/{invitation_tokens}': {
    403: '`organization.invalid_access`, `root.invalid_authentication`: organization-admins only.',
    409: '`organization.conflict`: an invitation changed meanwhile; nothing was revoked.',
  },
  'POST /api/v1/organizations/invitations/{invitation_token}/_accept': {
    409: '`organization.conflict`: the invitation changed while accepting; try again.',
  },
  'GET /api/v1/organizations/{organization_id}/members': {
    400: '`root.invalid_data`: a query parameter is not valid (`fields` names it; the message says what it accepts), or `next` is not the cursor of this list.',
    403: '`organization.invalid_access`: not a member (`?include=invitations`: organization-admins only).',
  },
  'DELETE /api/v1/organizations/{organization_id}/members/{user_ids}': {
    400: '`organization.last_admin`, `organization.has_active_deployments`, `organization.has_pending_bills`, `root.invalid_data`.',
    403: '`organization.invalid_access`, `root.invalid_authentication`: only organization-admins remove others.',
  },
};

/** Statuses any route may answer besides its own, by what the route is. */
function commonResponses(route: (typeof ROUTES)[number], hasBody: boolean): Record<string, Json> {
  const error = (description: string, headers?: Json) => ({
    description,
    ...(headers ? { headers } : {}),
    content: json(ERROR),
  });
  const retryAfter = { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'string' } } };
  const out: Record<string, Json> = {
    429: error('`root.throttled`: busy; retry after `Retry-After` seconds.', retryAfter),
    503: error('`root.service_unavailable`: a dependency failed; retry.', retryAfter),
  };
  if (route.auth)
    out[401] = error(
      '`root.unauthorized`: no valid bearer token or API key (an API key revoked, expired, or whose creator left).',
    );
  if (route.path.includes('{')) out[400] = error('`root.invalid_data`: a path parameter is not valid.');
  if (hasBody) {
    out[400] = error(
      '`root.invalid_json` (not JSON, not UTF-8, a lone surrogate, a `__proto__` key), `root.invalid_data` (naming the field; names and descriptions refuse control characters, U+2028/U+2029, bidi controls and U+FFFD, naming the character and its position).',
    );
    out[413] = error('`root.payload_too_large`: the body is over 64 KiB.');
    out[415] = error('`root.unsupported_media_type`: the body was sent with a type other than JSON.');
  }
  return out;
}

/** The `Idempotency-Key` header every POST route but the SSO bridge's takes (`shared/idempotency.ts`), and its answers. */
function addIdempotencyKey(op: Json): void {
  const error = (description: string, headers?: Json) => ({
    description,
    ...(headers ? { headers } : {}),
    content: json(ERROR),
  });
  (op.parameters as Json[]).push({
    name: IDEMPOTENCY_HEADER,
    in: 'header',
    required: false,
    description: `Ours: 1-255 printable ASCII characters you choose (a UUID, say). The same key with the same request (method, path and body) within ${IDEMPOTENCY_WINDOW_SECONDS / 3600} hours answers the first answer again, status, headers and body as they were, with \`${REPLAYED_HEADER}: true\`; a 5xx answer is not kept (the retry runs again). Keys are per caller and route.`,
    schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
  });
  const responses = op.responses as Record<string, Json>;
  // Only where the route says nothing of the status: the reference's answers stay exactly as written.
  const add = (status: number, words: string, headers?: Json) => {
    responses[status] ??= error(words, headers);
  };
  add(
    400,
    `\`root.invalid_data\` naming \`${IDEMPOTENCY_HEADER}\`: the header is not 1-255 printable ASCII characters.`,
  );
  add(
    409,
    `\`root.idempotency_key_in_progress\`: the first request with this \`${IDEMPOTENCY_HEADER}\` still runs; retry after \`Retry-After\` seconds.`,
    {
      'Retry-After': { description: 'Seconds to wait.', schema: { type: 'string' } },
    },
  );
  add(
    422,
    `\`root.idempotency_key_reused\`: this \`${IDEMPOTENCY_HEADER}\` came before with another request (method, path or body); nothing was done.`,
  );
}

function ourOperation(key: RouteKey, op: OurOperation): Json {
  const errorResponses = Object.fromEntries(
    Object.entries(op.errors ?? {}).map(([status, description]) => [
      status,
      {
        description,
        content:
          op.ok.media === 'text/html' || op.errorMedia === 'text/html'
            ? { 'text/html': { schema: { type: 'string' } } }
            : status === '200'
              ? json(op.ok.schema)
              : json(ERROR),
      },
    ]),
  );
  return {
    tags: op.tags,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    operationId: key.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, ''),
    parameters: op.query?.map((q) => ({
      name: q.name,
      in: 'query',
      description: q.description,
      schema: str,
    })),
    ...(op.body ? { requestBody: { required: true, content: json(bodyOf(op.body)) } } : {}),
    responses: {
      [op.ok.status]:
        op.ok.media === 'none'
          ? { description: op.ok.description }
          : {
              description: op.ok.description,
              content: op.ok.media ? { [op.ok.media]: { schema: { type: 'string' } } } : json(op.ok.schema),
            },
      ...errorResponses,
    },
  };
}

/**
 * SCIM 2.0 (RFC 7643/7644; docs/scim.md): its own protocol, documented by its RFCs. Bodies and errors are
 * `application/scim+json`; errors are SCIM's (`schemas`, `status`, `scimType`, `detail`), not the API's.
 */
const SCIM_OPS: Record<
  string,
  { summary: string; ok: Record<number, string>; errors: Record<number, string> }
> = {
  'GET /scim/v2/{organization_id}/{resource}': {
    summary: 'SCIM: list Users or Groups (filter, startIndex, count), or a discovery document',
    ok: { 200: 'A ListResponse, or ServiceProviderConfig / ResourceTypes / Schemas.' },
    errors: { 400: '`invalidFilter`.', 401: 'No valid SCIM token.', 404: 'No such endpoint.' },
  },
  'POST /scim/v2/{organization_id}/{resource}': {
    summary: 'SCIM: create a User (joins the organization) or a Group',
    ok: { 201: 'The created resource.' },
    errors: {
      400: '`invalidValue` (an address outside the verified domains, a bad field), `invalidSyntax`.',
      401: 'No valid SCIM token.',
      404: 'No such endpoint.',
      409: '`uniqueness`: exists already, or the person belongs to another organization.',
    },
  },
  'GET /scim/v2/{organization_id}/{resource}/{resource_id}': {
    summary: 'SCIM: a User, a Group, a resource type or a schema',
    ok: { 200: 'The resource.' },
    errors: { 401: 'No valid SCIM token.', 404: 'No such resource.' },
  },
  'PUT /scim/v2/{organization_id}/{resource}/{resource_id}': {
    summary: 'SCIM: replace a User or a Group (`active: false` removes the membership)',
    ok: { 200: 'The resource as stored.' },
    errors: {
      400: '`invalidValue`, `mutability` (userName cannot change), a refused removal (last admin, deployments).',
      401: 'No valid SCIM token.',
      404: 'No such resource.',
      405: 'Not on this resource.',
      409: '`uniqueness`: the person belongs to another organization; a refused removal.',
    },
  },
  'PATCH /scim/v2/{organization_id}/{resource}/{resource_id}': {
    summary: 'SCIM: patch a User (`active`) or a Group (members)',
    ok: { 200: 'The resource as stored.' },
    errors: {
      400: '`invalidSyntax`, `invalidPath`, `invalidValue`, `mutability`, a refused removal.',
      401: 'No valid SCIM token.',
      404: 'No such resource.',
      405: 'Not on this resource.',
      409: '`uniqueness`; a refused removal.',
    },
  },
  'DELETE /scim/v2/{organization_id}/{resource}/{resource_id}': {
    summary: 'SCIM: delete a User (removes the membership) or a Group',
    ok: { 204: 'Deleted.' },
    errors: {
      400: 'A refused removal (last admin, a sole member with deployments).',
      401: 'No valid SCIM token.',
      404: 'No such resource.',
      405: 'Not on this resource.',
      409: 'A refused removal.',
    },
  },
};

const scimBody = { 'application/scim+json': { schema: { type: 'object' } } };

function scimOperation(key: RouteKey): Json {
  const op = SCIM_OPS[key]!;
  return {
    tags: ['SCIM provisioning'],
    summary: op.summary,
    description:
      "SCIM 2.0 (RFC 7644) for the organization's IdP, authenticated by the organization's SCIM token (`Authorization: Bearer scim_…`). `resource`: `Users`, `Groups`, `ServiceProviderConfig`, `ResourceTypes`, `Schemas`. See docs/scim.md.",
    operationId: key.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, ''),
    ...(key.startsWith('POST') || key.startsWith('PUT') || key.startsWith('PATCH')
      ? { requestBody: { required: true, content: scimBody } }
      : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(op.ok).map(([status, description]) => [
          status,
          status === '204' ? { description } : { description, content: scimBody },
        ]),
      ),
      ...Object.fromEntries(
        Object.entries(op.errors).map(([status, description]) => [
          status,
          { description, content: scimBody },
        ]),
      ),
    },
  };
}

function scimCommon(hasBody: boolean): Record<string, Json> {
  const out: Record<string, Json> = {
    429: { description: 'Busy; retry after `Retry-After` seconds.', content: scimBody },
    500: { description: 'Our failure; retry later.', content: scimBody },
    503: { description: 'A dependency failed; retry.', content: scimBody },
  };
  if (hasBody) {
    out[400] = { description: 'Not JSON, or a bad field.', content: scimBody };
    out[413] = { description: 'The body is over 64 KiB.', content: scimBody };
    out[415] = { description: 'The body was sent with a type other than JSON.', content: scimBody };
  }
  return out;
}

const PARAM_WORDS: Record<string, string> = {
  resource: 'SCIM: `Users`, `Groups`, `ServiceProviderConfig`, `ResourceTypes` or `Schemas`',
  resource_id: 'SCIM: the id of the user or group (or the resource type, or the schema URN)',
  organization_id: 'Identifier for the Organization',
  deployment_id: 'A deployment id',
  project_id: 'A project id',
  bill_id: 'A bill id',
  repository_id: 'One of your snapshot repositories',
  migration_id: 'A migration id (also its execution name)',
  token: 'The invitation token from the emailed link',
  user_id: 'A user id; `me` is yours',
  user_ids: 'Comma-separated user ids (up to 25); `me` is yours',
};

function build(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of ROUTES) {
    const key = `${route.method} ${route.path}` as RouteKey;
    const declared = OPERATIONS[key];
    let op: Json;
    if (declared === 'reference') {
      const path = route.path.slice(REF_BASE.length);
      const method = route.method.toLowerCase();
      const source = reference.paths[path]?.[method];
      const oas3 = referenceOas3.paths[path]?.[method];
      if (!source && !oas3)
        throw new Error(`${key} is marked "reference" but the reference has no such operation`);
      op = source ? fromReference(source) : (structuredClone(oas3) as Json);
      const note = REFERENCE_NOTES[key];
      if (note) op.description = `${op.description ?? ''}\n\n${note}`.trim();
      const query = (REFERENCE_QUERY[key] ?? []).map((q) => ({ ...q, in: 'query' }));
      if (query.length) op.parameters = [...((op.parameters as Json[] | undefined) ?? []), ...query];
      for (const [status, description] of Object.entries(REFERENCE_EXTRA[key] ?? {})) {
        (op.responses as Record<string, Json>)[status] ??= { description, content: json(ERROR) };
      }
      // Our errors are always JSON; where the reference gives an error another type (metadata.xml), JSON is added.
      for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
        const content = response.content as Json | undefined;
        if (Number(status) >= 400 && content && !content['application/json'])
          response.content = { ...content, ...json(ERROR) };
      }
    } else if (declared === 'scim') {
      op = scimOperation(key);
    } else {
      op = ourOperation(key, declared);
    }
    const hasBody = 'requestBody' in op;
    const own = op.responses as Record<string, Json>;
    // The reference's own answers stay exactly as written; the common ones fill in what it leaves out.
    op.responses =
      declared === 'scim'
        ? { ...scimCommon(hasBody), ...own }
        : { ...commonResponses(route, hasBody), ...own };
    const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const given = ((op.parameters as Json[] | undefined) ?? []).filter(Boolean);
    const missing = names
      .filter((n) => !given.some((p) => p.name === n && p.in === 'path'))
      .map((n) => ({ name: n, in: 'path', required: true, description: PARAM_WORDS[n] ?? n, schema: str }));
    op.parameters = [...given, ...missing];
    if (takesIdempotencyKey(key)) addIdempotencyKey(op);
    if (!(op.parameters as Json[]).length) delete op.parameters;
    op.security = route.auth ? [{ bearer: [] }, { apiKey: [] }] : [];
    if (key === 'POST /api/v1/users/auth/keys') {
      const created = (op.responses as Record<string, Json>)['201']!;
      created.headers = {
        'x-api-key-expires-at': {
          description: 'When the key stops working (ISO 8601), or `never`.',
          schema: str,
        },
      };
    }
    op['x-who-may-call'] = route.who;
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Organization membership API',
      version: '1',
      description:
        'Organizations, members, invitations and roles, compatible with Elastic Cloud\'s organization API (the routes it defines keep its request and response shapes, status codes and error codes), plus our own: creating organizations, deployments, projects, bills, snapshot repositories, moving to another organization (migrations) and `GET /api/v1/users/me`. Errors are `{"errors":[{"code","message","fields"}]}`. Unknown paths answer 404 `root.not_found`, wrong methods 405 `root.method_not_allowed`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: {
        ...withOurFields({ ...convertSchema(reference.definitions), ...referenceOas3.components.schemas }),
        ...OUR_SCHEMAS,
      },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "An OpenID Connect token (Cognito or the deployer's issuer; locally `npm run token`).",
        },
        apiKey: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description:
            'An organization API key as `ApiKey omk_<id>_<secret>` (`POST /api/v1/users/auth/keys`).',
        },
      },
    },
  };
}

let cached: Json | undefined;
/** The document, built once per process. */
export function openApiDocument(): Json {
  cached ??= build();
  return cached;
}
