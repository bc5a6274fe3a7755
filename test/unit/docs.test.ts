/** The README's route and role tables are what the code says (`npm run docs` rewrites them). */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes.ts';
import { DEPLOYMENT_ROLES, ORGANIZATION_ROLES, PROJECT_ROLES } from '../../functions/shared/roles.ts';
import { renderReadme, roleTable, routeTable } from '../../local/readme.ts';

const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

describe('README tables', () => {
  it('match the code (run npm run docs after changing routes or roles)', () => {
    expect(renderReadme(readme)).toBe(readme);
  });

  it('list every route and every role id', () => {
    for (const r of ROUTES) expect(routeTable()).toContain(`\`${r.method} ${r.path}\``);
    const ids = [...ORGANIZATION_ROLES, ...DEPLOYMENT_ROLES, ...Object.values(PROJECT_ROLES).flat()];
    expect(ids).toHaveLength(14);
    for (const id of ids) expect(roleTable()).toContain(`| \`${id}\` |`);
  });

  it('a stale table is caught', () => {
    const stale = readme.replace(
      /\| `GET \/api\/v1\/users\/me` \|[^\n]*/,
      '| `GET /api/v1/users/me` | old | old |',
    );
    expect(stale).not.toBe(readme);
    expect(renderReadme(stale)).toBe(readme);
  });
});
