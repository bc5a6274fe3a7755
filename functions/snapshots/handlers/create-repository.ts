import { defaultDeps } from '../../shared/deps.ts';
import { json, personRoute } from '../../shared/http.ts';
import { repositoryRequest } from '../schemas.ts';
import { createRepository } from '../service.ts';

export const handler = personRoute(async (req) =>
  json(201, await createRepository(defaultDeps(), req.caller, req.body(repositoryRequest).name)),
);
