/**
 * The docs stay true and the README stays short: docs/api.md's generated tables (routes, roles, error codes) are what
 * the code says (`npm run docs` rewrites them), and the README is a five-minute read under 15 KB whose links land.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../functions/routes.ts';
import { ERROR_STATUS } from '../../functions/shared/errors.ts';
import { DEPLOYMENT_ROLES, ORGANIZATION_ROLES, PROJECT_ROLES } from '../../functions/shared/roles.ts';
import { API_DOC, errorTable, renderApiTables, roleTable, routeTable } from '../../local/api-tables.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const apiDoc = readFileSync(resolve(ROOT, API_DOC), 'utf8');
const README_LIMIT = 15 * 1024;

describe('docs/api.md tables', () => {
  it('match the code (run npm run docs after changing routes, roles or error codes)', () => {
    expect(renderApiTables(apiDoc)).toBe(apiDoc);
  });

  it('list every route, every role id and every error code', () => {
    for (const r of ROUTES) expect(routeTable()).toContain(`\`${r.method} ${r.path}\``);
    const ids = [...ORGANIZATION_ROLES, ...DEPLOYMENT_ROLES, ...Object.values(PROJECT_ROLES).flat()];
    expect(ids).toHaveLength(14);
    for (const id of ids) expect(roleTable()).toContain(`| \`${id}\` |`);
    for (const [code, status] of Object.entries(ERROR_STATUS))
      expect(errorTable()).toContain(`| \`${code}\` | ${status} |`);
  });

  it('a stale table is caught', () => {
    const stale = apiDoc.replace(
      /\| `GET \/api\/v1\/users\/me` \|[^\n]*/,
      '| `GET /api/v1/users/me` | old | old |',
    );
    expect(stale).not.toBe(apiDoc);
    expect(renderApiTables(stale)).toBe(apiDoc);
  });
});

describe('README', () => {
  const readme = readFileSync(resolve(ROOT, 'README.md'));

  it(`stays under 15 KB (${README_LIMIT} bytes): the reference lives in docs/`, () => {
    expect(readme.byteLength).toBeLessThan(README_LIMIT);
  });

  it('and the docs pages link only to files and headings that exist', () => {
    const pages = [
      'README.md',
      ...readdirSync(resolve(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => `docs/${f}`),
    ];
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(resolve(ROOT, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // http:, mailto:
        const [path, anchor] = target!.split('#') as [string, string | undefined];
        const file = path ? resolve(ROOT, dirname(page), path) : resolve(ROOT, page);
        if (!existsSync(file)) broken.push(`${page}: ${target} (no such file)`);
        else if (anchor && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(anchor))
          broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const [, heading] of markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)) {
    const base = heading!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}
