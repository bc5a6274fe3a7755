/** `npm run docs`: rewrite the generated tables of docs/api.md (routes, roles, error codes) from the code. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { API_DOC, renderApiTables } from './api-tables.ts';
import { parseCommand, rewriteOrCheck } from './cli.ts';

const { values } = parseCommand({
  name: 'npm run docs --',
  usage: `[--check]

Rewrites the generated tables in ${API_DOC}: the route table (from functions/routes.ts and the OpenAPI document),
the role table (from functions/shared/roles.ts) and the error codes (from functions/shared/errors.ts), between their
<!-- routes:… -->, <!-- roles:… --> and <!-- errors:… --> markers.

Options:
  --check   write nothing; exit 1 when ${API_DOC} differs from what the code says`,
  options: { check: { type: 'boolean' } },
});
const file = resolve(import.meta.dirname, '..', API_DOC);
const before = readFileSync(file, 'utf8');
rewriteOrCheck(
  file,
  before,
  renderApiTables(before),
  Boolean(values.check),
  `${API_DOC}: the generated tables`,
);
