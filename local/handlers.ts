/**
 * The `handler` a Lambda runs, imported from its module under `functions/` (`organizations/handlers/create`), once per
 * process as a warm Lambda keeps it. The gateway, the Step Functions endpoint and the outbox poller all load through it.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const loaded = new Map<string, Promise<unknown>>();

export function loadHandler<H>(name: string): Promise<H> {
  let h = loaded.get(name);
  if (!h) {
    h = import(pathToFileURL(resolve(import.meta.dirname, '../functions', `${name}.ts`)).href).then(
      (m: { handler: unknown }) => m.handler,
    );
    loaded.set(name, h);
  }
  return h as Promise<H>;
}
