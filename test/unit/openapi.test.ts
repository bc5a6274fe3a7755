/** The OpenAPI document: exactly the routes of `ROUTES`, valid OpenAPI 3.1, the reference's shapes unchanged. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/openapi/document.ts';
import { handler } from '../../functions/openapi/handlers/get.ts';
import { ROUTES } from '../../functions/routes.ts';
import { clientSchema } from '../../local/client-schema.ts';

type Json = Record<string, any>;
const doc = openApiDocument() as Json;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
const swagger = JSON.parse(
  readFileSync(
    resolve(import.meta.dirname, '../../functions/openapi/reference/elastic-cloud-organizations-api.json'),
    'utf8',
  ),
) as Json;

describe('OpenAPI document', () => {
  it('has every route of ROUTES and nothing else (both directions)', () => {
    const documented = Object.entries(doc.paths as Json).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((k) => METHODS.includes(k))
        .map((m) => `${m.toUpperCase()} ${path}`),
    );
    const routes = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect([...documented].sort()).toEqual([...routes].sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('is valid OpenAPI 3.1 (the official schema, every $ref resolving); a broken one is not', async () => {
    // @seriousme/openapi-schema-validator: the OpenAPI Initiative's 3.1 JSON Schema run by ajv, offline.
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(() => validator.resolveRefs()).not.toThrow();
    const broken = structuredClone(doc);
    broken.paths['/api/v1/users/me'].get.parameters = [{ name: 'x' }]; // a parameter must say where it is
    expect((await validator.validate(broken)).valid).toBe(false);
    const dangling = structuredClone(doc);
    dangling.paths['/api/v1/users/me'].get.responses['200'].content['application/json'].schema = {
      $ref: '#/components/schemas/Nobody',
    };
    expect((await validator.validate(dangling)).valid).toBe(false);
  });

  it("keeps the reference's schemas and its operations' answers exactly", () => {
    const added: string[] = [];
    for (const [name, def] of Object.entries(swagger.definitions as Json)) {
      const theirs = JSON.parse(JSON.stringify(def).replaceAll('#/definitions/', '#/components/schemas/'));
      const ours = doc.components.schemas[name];
      // Fields of ours may be added to a reference schema, optional only; everything of the reference stays as is.
      const extra = Object.keys(ours.properties ?? {}).filter((k) => !(k in (theirs.properties ?? {})));
      added.push(...extra.map((k) => `${name}.${k}`));
      const withoutExtra = { ...ours, properties: ours.properties && { ...ours.properties } };
      for (const k of extra) delete withoutExtra.properties[k];
      if (!ours.properties) delete withoutExtra.properties;
      expect(withoutExtra, name).toEqual(theirs);
    }
    expect(added.sort()).toEqual([
      'OrganizationInvitation.email_error',
      'OrganizationInvitation.email_status',
      'OrganizationInvitation.status',
      'OrganizationMembership.joined_through',
      'OrganizationMembership.sso_signed_in_at',
      'OrganizationMembership.status',
      'OrganizationMemberships.invitations',
      'OrganizationMemberships.next',
      'OrganizationMemberships.total',
    ]);
    for (const [path, ops] of Object.entries(swagger.paths as Json)) {
      for (const [method, op] of Object.entries(ops as Json)) {
        const ours = doc.paths[`/api/v1${path}`][method];
        expect(ours.operationId).toBe(op.operationId);
        for (const [status, r] of Object.entries(op.responses as Json)) {
          expect(ours.responses[status].description, `${method} ${path} ${status}`).toBe(r.description);
          if (r.schema) {
            expect(ours.responses[status].content['application/json'].schema.$ref).toBe(
              r.schema.$ref.replace('#/definitions/', '#/components/schemas/'),
            );
          }
        }
      }
    }
  });

  it('marks who may call each route and which need a bearer token', () => {
    for (const r of ROUTES) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      expect(op['x-who-may-call']).toBe(r.who);
      expect(op.security).toEqual(r.auth ? [{ bearer: [] }, { apiKey: [] }] : []);
      if (r.auth) expect(op.responses['401']).toBeDefined();
    }
  });

  it('is served at GET /api/v1/openapi.json, public and cacheable', async () => {
    const res = (await handler({
      rawPath: '/api/v1/openapi.json',
      routeKey: 'GET /api/v1/openapi.json',
      requestContext: { http: { method: 'GET' } },
    } as never)) as { statusCode: number; headers: Record<string, string>; body: string };
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(JSON.parse(res.body)).toEqual(doc);
  });
});

describe('the typed client (client/)', () => {
  it('its types are what the OpenAPI document says (npm run client rewrites them)', async () => {
    const file = readFileSync(resolve(import.meta.dirname, '../../client/schema.ts'), 'utf8');
    expect(await clientSchema()).toBe(file);
  });

  it('types every route of ROUTES with its method', () => {
    const file = readFileSync(resolve(import.meta.dirname, '../../client/schema.ts'), 'utf8');
    for (const r of ROUTES) {
      const block = file.slice(file.indexOf(`    "${r.path}": {`));
      expect(block.slice(0, block.indexOf('\n    };')), `${r.method} ${r.path}`).toMatch(
        new RegExp(`\\n        ${r.method.toLowerCase()}: operations\\[`),
      );
    }
  });
});
