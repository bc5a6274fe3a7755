/** `npm run client`: regenerate client/schema.ts from the service's OpenAPI document. `--check` only compares. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommand, rewriteOrCheck } from './cli.ts';
import { clientSchema } from './client-schema.ts';

const { values } = parseCommand({
  name: 'npm run client --',
  usage: `[--check]

Regenerates client/schema.ts (the types of the typed API client in client/, used by the console) from the OpenAPI
document the service serves at /api/v1/openapi.json, with openapi-typescript. Run it after changing a route, a request
schema or a response schema.

Options:
  --check   write nothing; exit 1 when client/schema.ts differs from what the code says`,
  options: { check: { type: 'boolean' } },
});
const file = resolve(import.meta.dirname, '../client/schema.ts');
let before = '';
try {
  before = readFileSync(file, 'utf8');
} catch {}
rewriteOrCheck(file, before, await clientSchema(), Boolean(values.check), 'client/schema.ts');
