/** Validates response bodies against the Elastic Cloud API reference, so drift from its shapes fails a test. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';

const swagger = JSON.parse(
  readFileSync(
    resolve(import.meta.dirname, '../../functions/openapi/reference/elastic-cloud-organizations-api.json'),
    'utf8',
  ),
) as { definitions: Record<string, unknown> };

const ajv = new Ajv({ strict: false, allErrors: true });
(addFormats as unknown as (a: Ajv) => void)(ajv);
ajv.addSchema({ $id: 'elastic', definitions: swagger.definitions });

export type Definition = keyof typeof swagger.definitions & string;

/** Throws with ajv's messages when `body` does not match the reference definition `name`. */
export function assertMatchesReference(name: string, body: unknown): void {
  const validate = ajv.getSchema(`elastic#/definitions/${name}`);
  if (!validate) throw new Error(`No definition ${name} in the reference`);
  if (!validate(body)) {
    throw new Error(
      `Response does not match ${name}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
    );
  }
}
