import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { listMigrations } from '../service.ts';

export const handler = authedRoute(async (req) =>
  json(200, { migrations: await listMigrations(defaultDeps(), req.caller) }),
);
