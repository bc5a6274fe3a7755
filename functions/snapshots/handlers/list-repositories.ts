import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { listRepositories } from '../service.ts';

export const handler = authedRoute(async (req) =>
  json(200, { repositories: await listRepositories(defaultDeps(), req.caller) }),
);
