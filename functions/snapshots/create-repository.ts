import { defaultDeps } from '../shared/deps.ts';
import { authedRoute, json } from '../shared/http.ts';
import { createRepository, repositoryRequest } from './service.ts';

export const handler = authedRoute(async (req) =>
  json(201, await createRepository(defaultDeps(), req.caller, req.body(repositoryRequest).name)),
);
