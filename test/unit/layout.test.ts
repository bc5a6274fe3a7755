/**
 * The layout docs/architecture.md promises, checked: one folder per concept with no import cycle between concepts, Lambda entry
 * points only in `handlers/` and `tasks/`, access patterns only in the table module, and long files only on purpose.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCESS } from '../../infra/access.ts';

const FUNCTIONS = resolve(import.meta.dirname, '../../functions');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}
const files = tsFiles(FUNCTIONS).map((path) => ({
  path,
  rel: relative(FUNCTIONS, path).split('\\').join('/'),
  text: readFileSync(path, 'utf8'),
}));
/** The concept a module belongs to: its top folder under `functions/` (`routes.ts` is the top level). */
const conceptOf = (rel: string) => (rel.includes('/') ? rel.split('/')[0]! : '.');
const importsOf = (file: (typeof files)[number]) =>
  [...file.text.matchAll(/(?:from|import\()\s*'(\.[^']+)'/g)].map((m) =>
    relative(FUNCTIONS, resolve(dirname(file.path), m[1]!))
      .split('\\')
      .join('/'),
  );

describe('functions/ layout', () => {
  it('has no import cycle between concepts, and shared/ imports no concept', () => {
    const graph = new Map<string, Set<string>>();
    for (const file of files) {
      const from = conceptOf(file.rel);
      for (const target of importsOf(file)) {
        const to = conceptOf(target);
        if (to !== from) (graph.get(from) ?? graph.set(from, new Set()).get(from)!).add(to);
      }
    }
    expect([...(graph.get('shared') ?? [])]).toEqual([]);
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const next of graph.get(node) ?? []) {
        if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const node of graph.keys()) visit(node, [node]);
    expect(cycles).toEqual([]);
  });

  it('keeps every Lambda entry point in a handlers/ or tasks/ folder, and nothing else there', () => {
    const entries = new Set(Object.keys(ACCESS).map((h) => `${h}.ts`));
    for (const entry of entries) expect(entry, entry).toMatch(/^[a-z-]+\/(handlers|tasks)\/[a-z-]+\.ts$/);
    const inEntryFolders = files.filter((f) => /\/(handlers|tasks)\//.test(f.rel)).map((f) => f.rel);
    expect(inEntryFolders.sort()).toEqual([...entries].sort());
    for (const f of files.filter((f) => entries.has(f.rel)))
      expect(f.text, f.rel).toMatch(/export const handler\b/);
  });

  it('names the index, writes key conditions and builds key prefixes only in shared/table.ts', () => {
    const outside = files.filter((f) => f.rel !== 'shared/table.ts');
    const offenders = outside.flatMap((f) =>
      [
        /IndexName|KeyConditionExpression|'gsi1'/,
        /['`"](ORG|USER|MEMBER|EMAIL|INVITATION|INVITE_RATE|DEPLOYMENT|PROJECT|BILL|REPO|SNAPSHOT|MIGRATION)#/,
      ]
        .filter((re) => re.test(f.text))
        .map((re) => `${f.rel}: ${re}`),
    );
    expect(offenders).toEqual([]);
  });

  it('has no file over 300 lines unless its header says why', () => {
    const long = files
      .filter((f) => f.text.split('\n').length > 300)
      .filter((f) => !/^\/\*\*[\s\S]*?on purpose[\s\S]*?\*\//.test(f.text))
      .map((f) => f.rel);
    expect(long).toEqual([]);
  });
});
