import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { repositoryRequest } from '../schemas.ts';
import { createRepository } from '../service.ts';

export const handler = authedRoute(async (req) =>
  json(201, await createRepository(defaultDeps(), req.caller, req.body(repositoryRequest).name)),
);
