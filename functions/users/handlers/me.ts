import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { whoAmI } from '../service.ts';

export const handler = authedRoute(async (req) => json(200, await whoAmI(defaultDeps(), req.caller)));
