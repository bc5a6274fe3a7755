import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { TOKEN_PATTERN } from '../schemas.ts';
import { acceptInvitation, invitationNotFound } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const token = req.path('invitation_token', TOKEN_PATTERN, invitationNotFound());
  await acceptInvitation(defaultDeps(), req.caller, token);
  return json(200, {});
});
