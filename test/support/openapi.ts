/**
 * Validates every answer the integration suites receive against the OpenAPI document (`functions/openapi/document.ts`)
 * with ajv's JSON Schema 2020-12 draft, the dialect OpenAPI 3.1 uses: the route is found as the gateway finds it, the
 * status must be one the document lists for that route, and a JSON body must match that response's schema.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../functions/openapi/document.ts';
import { ROUTES } from '../../functions/routes.ts';

type Json = Record<string, any>;
const doc = openApiDocument() as Json;

const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
// The components under a base id, so a response schema compiled on its own still resolves its `$ref`s.
ajv.addSchema({ $id: 'oas', components: doc.components });
const anchored = (schema: unknown) =>
  JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"oas#/components/')) as Json;

const compiled = ROUTES.map((r) => ({
  route: r,
  regex: new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));
const validators = new Map<string, ValidateFunction>();

function validatorFor(key: string, schema: unknown): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile(anchored(schema));
    validators.set(key, v);
  }
  return v;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** Throws, naming the route and status, when `answer` is not what the document promises. */
export function assertMatchesOpenApi(method: string, url: URL, answer: Answer): void {
  const match = compiled.find((c) => c.route.method === method && c.regex.test(url.pathname));
  const type = (answer.headers.get('content-type') ?? '').split(';')[0]!.trim();
  const where = `${method} ${url.pathname}`;
  if (!match) {
    // API Gateway's $default route: unknown paths and methods, with the error body.
    if (![404, 405, 413].includes(answer.status)) {
      throw new Error(
        `${where} matches no route and answered ${answer.status}: ${answer.text.slice(0, 300)}`,
      );
    }
    check(validatorFor('$default', { $ref: '#/components/schemas/BasicFailedReply' }), answer.body, where);
    return;
  }
  const { route } = match;
  const op = doc.paths[route.path][method.toLowerCase()] as Json;
  const response = op.responses[String(answer.status)] as Json | undefined;
  if (!response) {
    throw new Error(
      `${method} ${route.path} answered ${answer.status}, which the OpenAPI document does not list (it lists ${Object.keys(op.responses).join(', ')}): ${answer.text.slice(0, 300)}`,
    );
  }
  if (!response.content) return;
  const media = response.content[type] as Json | undefined;
  if (!media) {
    throw new Error(
      `${method} ${route.path} answered ${answer.status} as ${type || 'no content type'}, not ${Object.keys(response.content).join(' or ')}`,
    );
  }
  if (type === 'application/json') {
    check(validatorFor(`${method} ${route.path} ${answer.status}`, media.schema), answer.body, where);
  }
}

function check(validate: ValidateFunction, body: unknown, where: string): void {
  if (!validate(body)) {
    throw new Error(
      `${where}: the answer does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 1000)}`,
    );
  }
}
