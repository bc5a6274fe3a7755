import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { myInvitations } from '../mine.ts';

export const handler = authedRoute(async (req) =>
  json(200, { invitations: await myInvitations(defaultDeps(), req.caller) }),
);
