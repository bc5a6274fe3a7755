/**
 * The generated tables of docs/api.md: who may call each route (from `ROUTES` and the OpenAPI document's summaries),
 * every role id with what it allows (from `ROLE_CATALOGUE`) and every error code with its status (from
 * `ERROR_STATUS`). `npm run docs` writes them between their markers; a unit test fails when the page differs from
 * what the code says.
 */
import { openApiDocument } from '../functions/openapi/document.ts';
import { ROUTES } from '../functions/routes.ts';
import { ERROR_STATUS } from '../functions/shared/errors.ts';
import { ROLE_CATALOGUE } from '../functions/shared/roles.ts';

/** The page the tables live in, from the repository's root. */
export const API_DOC = 'docs/api.md';

const cell = (s: string) =>
  s.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\n', ' ');

export function routeTable(): string {
  const paths = openApiDocument().paths as Record<string, Record<string, { summary?: string }>>;
  const rows = ROUTES.map((r) => {
    const summary = paths[r.path]?.[r.method.toLowerCase()]?.summary ?? '';
    return `| \`${r.method} ${r.path}\` | ${cell(summary)} | ${cell(r.who)} |`;
  });
  return ['| route | what | who may call it |', '|---|---|---|', ...rows].join('\n');
}

export function roleTable(): string {
  const rows = Object.entries(ROLE_CATALOGUE).map(
    ([id, r]) => `| \`${id}\` | ${cell(r.scope)} | ${cell(r.allows)} |`,
  );
  return ['| role id | scope | what it allows |', '|---|---|---|', ...rows].join('\n');
}

export function errorTable(): string {
  const rows = Object.entries(ERROR_STATUS).map(([code, status]) => `| \`${code}\` | ${status} |`);
  return ['| error code | status |', '|---|---|', ...rows].join('\n');
}

export const SECTIONS = { routes: routeTable, roles: roleTable, errors: errorTable } as const;

const marker = (name: string, end: boolean) => `<!-- ${name}:${end ? 'end' : 'start'} (npm run docs) -->`;

/** The page with every generated section replaced; throws when a marker is missing. */
export function renderApiTables(page: string): string {
  let out = page;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = marker(name, false);
    const end = marker(name, true);
    const i = out.indexOf(start);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${API_DOC} lacks the markers ${start} … ${end}`);
    out = `${out.slice(0, i + start.length)}\n${render()}\n${out.slice(j)}`;
  }
  return out;
}
