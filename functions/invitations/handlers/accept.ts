import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { acceptInvitation } from '../accept.ts';
import { TOKEN_PATTERN } from '../schemas.ts';
import { invitationNotFound } from '../store.ts';

export const handler = authedRoute(async (req) => {
  const token = req.path('invitation_token', TOKEN_PATTERN, invitationNotFound());
  await acceptInvitation(defaultDeps(), req.caller, token);
  return json(200, {});
});
