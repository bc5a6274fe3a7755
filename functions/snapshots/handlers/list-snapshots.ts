import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { listSnapshots, repositoryNotFound } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const repoId = req.path('repository_id', undefined, repositoryNotFound());
  return json(200, { snapshots: await listSnapshots(defaultDeps(), req.caller, repoId) });
});
