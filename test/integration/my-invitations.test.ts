/** `GET /api/v1/users/me/invitations`: the invitations waiting for the signed-in person, and only theirs. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { keys } from '../../functions/shared/table.ts';
import { deploymentViewer, invite, orgWithAdmin } from '../support/factories.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();
const MINE = '/api/v1/users/me/invitations';
type Listed = {
  token: string;
  email: string;
  organization: { id: string; name: string };
  role_assignments: unknown;
  invited_by: { email: string; name: string | null };
};
const mine = async (as: string, opts: { emailVerified?: boolean } = {}) =>
  api.call<{ invitations: Listed[] }>('GET', MINE, { token: await api.token(as, opts) });

describe('invitations waiting for me', () => {
  it('lists the pending invitations from every organization with organization, roles, inviter and a token that accepts', async () => {
    // Prepare
    const globex = await orgWithAdmin(api, 'globex', 'Globex');
    const initech = await orgWithAdmin(api, 'initech', 'Initech');
    const ann = api.email('ann');
    const roles = deploymentViewer(globex.orgId);
    const named = await api.call('POST', `/api/v1/organizations/${globex.orgId}/invitations`, {
      token: await api.token(globex.admin, { name: 'Gina Globex' }),
      body: { emails: [ann], role_assignments: roles },
    });
    expect(named.status).toBe(201);
    // Addresses compare case-insensitively, as invites store them.
    expect((await invite(api, initech, [ann.toUpperCase()])).status).toBe(201);

    // Act
    const listed = await mine(ann);

    // Assess
    expect(listed.status).toBe(200);
    expect(listed.body.invitations.map((i) => i.organization)).toEqual([
      { id: initech.orgId, name: 'Initech' },
      { id: globex.orgId, name: 'Globex' },
    ]);
    const [fromInitech, fromGlobex] = listed.body.invitations as [Listed, Listed];
    expect(fromGlobex).toMatchObject({
      email: ann,
      role_assignments: roles,
      invited_by: { email: globex.admin, name: 'Gina Globex' },
    });
    expect(fromInitech.invited_by).toEqual({ email: initech.admin, name: null });
    // The email names the inviter by name when their sign-in had one, by address otherwise.
    const subjects = (await api.mailTo(ann)).map((m) => m.subject).sort();
    expect(subjects).toEqual(
      ['Gina Globex invited you to join Globex', `${initech.admin} invited you to join Initech`].sort(),
    );
    expect((await api.mailTo(ann)).find((m) => m.subject.startsWith('Gina'))?.body.text).toContain(
      `Gina Globex (${globex.admin}) invited you`,
    );
    // The same list whatever the case of the address the identity provider signs in with.
    expect((await mine(ann.toUpperCase())).body.invitations.map((i) => i.token)).toEqual(
      listed.body.invitations.map((i) => i.token),
    );

    const accepted = await api.call('POST', `/api/v1/organizations/invitations/${fromGlobex.token}/_accept`, {
      as: ann,
    });
    expect(accepted.status).toBe(200);
    expect((await mine(ann)).body.invitations.map((i) => i.organization.id)).toEqual([initech.orgId]);
  });

  it('refuses an unverified address (403) and never shows anyone else their invitations', async () => {
    const org = await orgWithAdmin(api, 'others');
    const bea = api.email('bea');
    expect((await invite(api, org, [bea, api.email('cid')])).status).toBe(201);

    const unverified = await mine(bea, { emailVerified: false });
    expect(unverified.status).toBe(403);
    expect(unverified.body).toMatchObject({
      errors: [{ code: 'organization.invitation_email_not_verified' }],
    });
    expect((await mine(bea)).body.invitations.map((i) => i.email)).toEqual([bea]);
    // Neighbours of the address (a prefix, a suffix, another domain) and the inviting admin see nothing of it.
    for (const other of [`x${bea}`, bea.replace('@', 'x@'), `${bea}.org`, org.admin]) {
      const res = await mine(other);
      expect(res.status, other).toBe(200);
      expect(res.body.invitations, other).toEqual([]);
    }
    expect((await api.call('GET', MINE)).status).toBe(401);
  });

  it('leaves out expired, revoked, accepted invitations and those of a closed organization', async () => {
    const dan = api.email('dan');
    const [expiring, revoking, accepting, closing, open] = await Promise.all(
      ['exp', 'rev', 'acc', 'clo', 'open'].map((l) => orgWithAdmin(api, `gone-${l}`)),
    );
    for (const org of [expiring!, revoking!, accepting!, closing!, open!])
      expect((await invite(api, org, [dan])).status).toBe(201);
    const all = (await mine(dan)).body.invitations;
    expect(all).toHaveLength(5);
    const tokenOf = (orgId: string) => all.find((i) => i.organization.id === orgId)!.token;

    await dynamo.send(
      new UpdateCommand({
        TableName: api.stack.tableName,
        Key: keys.invitation(expiring!.orgId, dan),
        UpdateExpression: 'SET expires_at = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    const revoked = await api.call(
      'DELETE',
      `/api/v1/organizations/${revoking!.orgId}/invitations/${tokenOf(revoking!.orgId)}`,
      { as: revoking!.admin },
    );
    expect(revoked.status).toBe(200);
    // The sole member leaves: the organization closes.
    const left = await api.call('DELETE', `/api/v1/organizations/${closing!.orgId}/members/me`, {
      as: closing!.admin,
    });
    expect(left.status).toBe(200);
    const acc = await api.call(
      'POST',
      `/api/v1/organizations/invitations/${tokenOf(accepting!.orgId)}/_accept`,
      {
        as: dan,
      },
    );
    expect(acc.status).toBe(200);

    expect((await mine(dan)).body.invitations.map((i) => i.organization.id)).toEqual([open!.orgId]);
  });
});
