import { defaultDeps } from '../../shared/deps.ts';
import { json, personRoute } from '../../shared/http.ts';
import { withWorkflow } from '../../shared/workflow.ts';
import { cancelMigration } from '../control.ts';
import { migrationNotFound } from '../service.ts';

export const handler = personRoute(async (req) => {
  const id = req.path('migration_id', undefined, migrationNotFound());
  return json(202, await cancelMigration(withWorkflow(defaultDeps()), req.caller, id));
});
