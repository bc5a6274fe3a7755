import { orgNotFound } from '../../organizations/service.ts';
import { defaultDeps } from '../../shared/deps.ts';
import { authedRoute, json } from '../../shared/http.ts';
import { parseRoleAssignments } from '../../shared/role-assignments.ts';
import { createInvitations } from '../invite.ts';
import { invitationRequest, parseEmails, parseExpiresIn } from '../schemas.ts';

export const handler = authedRoute(async (req) => {
  const orgId = req.path('organization_id', undefined, orgNotFound());
  const body = req.body(invitationRequest);
  const input = {
    emails: parseEmails(body.emails),
    expiresInMs: parseExpiresIn(body.expires_in),
    roleAssignments:
      body.role_assignments === undefined ? undefined : parseRoleAssignments(body.role_assignments, orgId),
  };
  return json(201, {
    invitations: await createInvitations(defaultDeps(), req.caller, orgId, input),
  });
});
