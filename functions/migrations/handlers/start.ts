import { defaultDeps } from '../../shared/deps.ts';
import { json, personRoute } from '../../shared/http.ts';
import { withWorkflow } from '../../shared/workflow.ts';
import { migrationRequest } from '../schemas.ts';
import { startMigration } from '../start.ts';

export const handler = personRoute(async (req) => {
  const { created, migration } = await startMigration(
    withWorkflow(defaultDeps()),
    req.caller,
    req.body(migrationRequest),
  );
  return json(created ? 201 : 200, migration);
});
