import { defaultDeps } from '../../shared/deps.ts';
import { json, publicRoute } from '../../shared/http.ts';
import { TOKEN_PATTERN } from '../schemas.ts';
import { getInvitation, invitationNotFound } from '../service.ts';

export const handler = publicRoute(async (req) => {
  const token = req.path('invitation_token', TOKEN_PATTERN, invitationNotFound());
  return json(200, await getInvitation(defaultDeps(), token));
});
