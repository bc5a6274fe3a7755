import { defaultDeps } from '../../shared/deps.ts';
import { json, personRoute } from '../../shared/http.ts';
import { rerunRestore } from '../control.ts';
import { migrationNotFound } from '../service.ts';

export const handler = personRoute(async (req) => {
  const id = req.path('migration_id', undefined, migrationNotFound());
  return json(200, await rerunRestore(defaultDeps(), req.caller, id));
});
