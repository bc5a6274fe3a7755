/** `npm run docs`: rewrite the README's generated tables (routes, roles) from the code. `--check` only compares. */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCommand } from './cli.ts';
import { renderReadme } from './readme.ts';

const { values } = parseCommand({
  name: 'npm run docs --',
  usage: `[--check]

Rewrites the route table (from functions/routes.ts and the OpenAPI document) and the role table (from
functions/shared/roles.ts) in README.md, between their <!-- routes:… --> and <!-- roles:… --> markers.

Options:
  --check   write nothing; exit 1 when README.md differs from what the code says`,
  options: { check: { type: 'boolean' } },
});
const file = resolve(import.meta.dirname, '../README.md');
const before = readFileSync(file, 'utf8');
const after = renderReadme(before);
if (values.check) {
  if (after !== before) {
    console.error('README.md: the route or role table is out of date; run npm run docs');
    process.exit(1);
  }
  console.log('README.md: tables up to date');
} else if (after !== before) {
  writeFileSync(file, after);
  console.log('README.md: tables rewritten');
} else {
  console.log('README.md: tables already up to date');
}
