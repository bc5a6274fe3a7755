/** The OpenAPI document: exactly the routes of `ROUTES`, valid OpenAPI 3.1, the reference's shapes unchanged. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/openapi/document.ts';
import { handler } from '../../functions/openapi/handlers/get.ts';
import { ROUTES } from '../../functions/routes.ts';

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
    for (const [name, def] of Object.entries(swagger.definitions as Json)) {
      expect(doc.components.schemas[name], name).toEqual(
        JSON.parse(JSON.stringify(def).replaceAll('#/definitions/', '#/components/schemas/')),
      );
    }
    for (const [path, ops] of Object.entries(swagger.paths as Json)) {
      for (const [method, op] of Object.entries(ops as Json)) {
        const ours = doc.paths[`/api/v1${path}`][method];
        expect(ours.operationId).toBe(op.operationId);
        for (const [status, r] of Object.entries(op.responses as Json)) {
          expect(ours.responses[status].description, `${method} ${path} ${status}`).toBe(r.description);
          if (r.schema) {
            // Ours may extend the reference's answer (`allOf`, the reference's first), never replace it.
            const schema = ours.responses[status].content['application/json'].schema;
            expect(schema.allOf?.[0]?.$ref ?? schema.$ref).toBe(
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
      expect(op.security).toEqual(r.auth ? [{ bearer: [] }] : []);
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
