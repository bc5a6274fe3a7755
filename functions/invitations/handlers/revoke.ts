import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { ApiError } from '../../shared/errors.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { TOKEN_PATTERN } from '../schemas.ts';
import { revokeInvitations } from '../service.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const raw = req.path('invitation_tokens', /^[^/]{1,20000}$/);
  const tokens = [
    ...new Set(
      raw
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
  if (tokens.length === 0 || tokens.length > 100 || !tokens.every((t) => TOKEN_PATTERN.test(t))) {
    throw new ApiError(
      'root.invalid_data',
      'No valid invitation token was supplied: give 1 to 100 tokens separated by commas.',
      ['invitation_tokens'],
    );
  }
  await revokeInvitations(defaultDeps(), req.caller, orgId, tokens);
  return json(200, {});
});
