/**
 * The breaks an outside run found, each forced deterministically: a hook in the real DynamoDB client's middleware
 * holds one request's write until another operation has landed, so the interleaving that used to lose data happens
 * every time instead of in 2–13% of timed trials. Each test fails without its fix.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamo } from '../../functions/shared/clients.ts';
import { localUserId } from '../../local/jwt.ts';
import { addMember, invite, orgWithAdmin, tokenFromMail } from '../support/factories.ts';
import { type Hold, isAccept, startsStep, useInterleaving } from '../support/interleave.ts';
import {
  assertNothingLost,
  finished,
  scene,
  start,
  stepStatuses,
  waitFor,
  waitingForAcceptance,
} from '../support/migration.ts';
import { type ApiResponse, useStack } from '../support/stack.ts';

const api = useStack({
  localOnly:
    'holds requests in the DynamoDB client of the handlers running in this process (test/support/interleave.ts)',
});

const { hold } = useInterleaving();

const invitationItem = async (orgId: string, email: string) =>
  (
    await dynamo.send(
      new GetCommand({
        TableName: api.stack.tableName,
        Key: { pk: `ORG#${orgId}`, sk: `INVITATION#${email}` },
        ConsistentRead: true,
      }),
    )
  ).Item;

const acceptAs = async (token: string, email: string, sub?: string) =>
  api.call('POST', `/api/v1/organizations/invitations/${token}/_accept`, {
    token: await api.token(email, sub ? { sub } : {}),
  });

const membership = async (orgId: string, admin: string, email: string) =>
  (await api.call('GET', `/api/v1/organizations/${orgId}/members`, { as: admin })).body.members.find(
    (m: any) => m.email === email,
  );

describe('interleavings that used to break a promise', () => {
  it('a re-invite with other roles between accept’s read and write: the member gets the roles the invitation has when the accept commits', async () => {
    const org = await orgWithAdmin(api, 'roles');
    const x = api.email('x');
    expect((await invite(api, org, [x], { role_assignments: adminOf(org.orgId) })).status).toBe(201);
    const token = await tokenFromMail(api, x);

    const h: Hold = {
      match: isAccept,
      seen: 0,
      before: async () => {
        const re = await invite(api, org, [x], { role_assignments: billingOf(org.orgId) });
        expect(re.status, re.text).toBe(201);
      },
    };
    hold(h);
    const res = await acceptAs(token, x);
    expect(h.seen).toBe(1); // the race really happened
    expect(res.status, res.text).toBe(200);

    const member = await membership(org.orgId, org.admin, x);
    expect(member.role_assignments).toEqual(billingOf(org.orgId));
    const inv = await invitationItem(org.orgId, x);
    expect(inv?.status).toBe('accepted');
    expect(inv?.role_assignments).toEqual(member.role_assignments);
    // The last email the person got describes the roles they have.
    expect((await api.mailTo(x)).at(-1)?.body.text).toMatch(/Billing admin/);
  });

  it('an accept between a revoke’s read and write: the revoke answers 404 (no longer pending), as it would after', async () => {
    const org = await orgWithAdmin(api, 'revoke');
    const x = api.email('revokee');
    expect((await invite(api, org, [x])).status).toBe(201);
    const token = await tokenFromMail(api, x);

    const h: Hold = {
      match: (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        String(input?.TransactItems?.[0]?.Update?.UpdateExpression ?? '').includes('revoked_by'),
      seen: 0,
      before: async () => {
        const accepted = await acceptAs(token, x);
        expect(accepted.status, accepted.text).toBe(200);
      },
    };
    hold(h);
    const res = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/invitations/${token}`, {
      as: org.admin,
    });
    expect(h.seen).toBe(1); // the race really happened
    expect(res.status, res.text).toBe(404);
    expect(res.body.errors[0].code).toBe('organization.invitation_not_found');
    expect((await invitationItem(org.orgId, x))?.status).toBe('accepted');
    expect(await membership(org.orgId, org.admin, x)).toBeDefined();
  });

  it('two admins demoting each other: the one demoted first can no longer demote (each write holds its author’s role)', async () => {
    const org = await orgWithAdmin(api, 'demote');
    const b = await addMember(api, org, 'demote-b', adminOf(org.orgId));
    await addMember(api, org, 'demote-c', adminOf(org.orgId)); // a third admin: the last-admin rule stays out of it
    const aId = await api.userId(org.admin);
    const demote = (as: string, userId: string) =>
      api.call('DELETE', `/api/v1/users/${userId}/role_assignments`, { as, body: adminOf(org.orgId) });

    // B read that it is an admin; before its write lands, A demotes B.
    const h: Hold = {
      match: (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        (input?.TransactItems ?? []).some((i: any) => i.Update?.Key?.sk === `MEMBER#${aId}`),
      seen: 0,
      before: async () => {
        const first = await demote(org.admin, b.userId);
        expect(first.status, first.text).toBe(200);
      },
    };
    hold(h);
    const late = await demote(b.email, aId);
    expect(h.seen).toBe(1); // the race really happened
    expect(late.status, late.text).toBe(403);
    expect(late.body.errors[0].code).toBe('role_assignments.unauthorized_role_assignments');
    expect((await membership(org.orgId, org.admin, org.admin)).role_assignments).toEqual(adminOf(org.orgId));
  });

  it('an admin removed between reading and writing a removal cannot remove anyone (the write holds its author’s membership)', async () => {
    const org = await orgWithAdmin(api, 'ousted');
    const b = await addMember(api, org, 'ousted-b', adminOf(org.orgId));
    const c = await addMember(api, org, 'ousted-c');

    // B read that it is an admin and is removing C; before its write lands, A removes B.
    const h: Hold = {
      match: (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        (input?.TransactItems ?? []).some((i: any) => i.Delete?.Key?.sk === `MEMBER#${c.userId}`),
      seen: 0,
      before: async () => {
        const first = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${b.userId}`, {
          as: org.admin,
        });
        expect(first.status, first.text).toBe(200);
      },
    };
    hold(h);
    const late = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/members/${c.userId}`, {
      as: b.email,
    });
    expect(h.seen).toBe(1); // the race really happened
    expect(late.status, late.text).toBe(403);
    expect(await membership(org.orgId, org.admin, c.email)).toBeDefined();
  });

  it('the wait step stores its task token between accept’s read and write: the accept resumes the migration', async () => {
    const s = await scene(api, 'handoff', -1);
    const token = await tokenFromMail(api, s.user);
    const h: Hold = {
      match: isAccept,
      seen: 0,
      // Hold the accept's write until the workflow has stored its token on the invitation.
      before: async () => {
        for (let t = 0; t < 400; t++) {
          if ((await invitationItem(s.target.orgId, s.user))?.task_token) return;
          await new Promise((r) => setTimeout(r, 25));
        }
        throw new Error('the workflow never stored its task token');
      },
    };
    const id = await start(api, s);
    hold(h);
    // The accept reads the invitation now, before the workflow reaches its wait; its write waits for the token.
    const res = await acceptAs(token, s.user);
    expect(h.seen).toBe(1);
    expect(res.status, res.text).toBe(200);
    const m = await waitFor(api, s.user, id, finished);
    expect(m.status).toBe('succeeded');
    const orgs = (await api.call('GET', '/api/v1/organizations', { as: s.user })).body.organizations;
    expect(orgs.map((o: any) => o.id)).toEqual([s.target.orgId]);
  });

  it('another account with the same verified email cannot accept a migration’s invitation; the mover still can', async () => {
    const s = await scene(api, 'other', -1);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    const token = await tokenFromMail(api, s.user);

    const impostor = await acceptAs(token, s.user, `other-account-${api.email('x')}`);
    expect(impostor.status, impostor.text).toBe(403);
    expect(impostor.body.errors[0].code).toBe('organization.invitation_reserved');
    expect(impostor.body.errors[0].message).toMatch(/Sign in with that account/);
    expect((await api.call('GET', `/api/v1/migrations/${id}`, { as: s.user })).body.status).toBe('running');

    expect((await acceptAs(token, s.user)).status).toBe(200);
    const m = await waitFor(api, s.user, id, finished);
    expect(m.status).toBe('succeeded');
    expect((await membership(s.target.orgId, s.target.admin, s.user))?.user_id).toBe(localUserId(s.user));
  });

  it('an account that accepted first cannot have its accept race past the binding (the condition holds it, not the read)', async () => {
    const s = await scene(api, 'bindrace', -1);
    const token = await tokenFromMail(api, s.user);
    const other = `other-account-${api.email('y')}`;
    const h: Hold = {
      match: isAccept,
      seen: 0,
      // The other account read the invitation before the migration bound it; its write comes after.
      before: async () => {
        await start(api, s);
      },
    };
    hold(h);
    const res = await acceptAs(token, s.user, other);
    expect(h.seen).toBe(1);
    expect(res.status, res.text).toBe(403);
    expect(res.body.errors[0].code).toBe('organization.invitation_reserved');
    expect((await invitationItem(s.target.orgId, s.user))?.status).toBe('pending');
  });

  it('a deployment the user deletes after it was backed up stays deleted: the move does not bring it back', async () => {
    const s = await scene(api, 'deleted', 2);
    const [gone, kept] = s.resources;
    const h: Hold = {
      match: startsStep('Delete source deployments'),
      seen: 0,
      // Backed up and verified; now, before the migration deletes the sources, the user deletes one themselves.
      before: async () => {
        const del = await api.call(
          'DELETE',
          `/api/v1/organizations/${s.source.orgId}/${gone!.kind}/${gone!.id}`,
          {
            as: s.user,
          },
        );
        expect(del.status, del.text).toBe(200);
      },
    };
    hold(h);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    expect(h.seen).toBe(1);
    expect((await acceptAs(await tokenFromMail(api, s.user), s.user)).status).toBe(200);
    const m = await waitFor(api, s.user, id, finished);
    expect(m.status).toBe('succeeded');
    const inTarget = async (kind: string) =>
      (await api.call('GET', `/api/v1/organizations/${s.target.orgId}/${kind}`, { as: s.target.admin })).body[
        kind
      ].map((r: any) => r.name);
    expect([...(await inTarget('deployments')), ...(await inTarget('projects'))]).toEqual([kept!.name]);
    const snaps = (
      await api.call('GET', `/api/v1/users/me/snapshot-repositories/${s.repoId}/snapshots`, { as: s.user })
    ).body.snapshots;
    expect(snaps.find((x: any) => x.source_id === gone!.id)?.status).toBe('discarded');
  });

  it('a deployment the user deletes before its backup stops the move, and the cause says it is gone (not that every deployment is still there)', async () => {
    const s = await scene(api, 'delbackup', 2);
    const [gone, kept] = s.resources;
    const h: Hold = {
      // The backup of that deployment is about to read it; the user deletes it first.
      match: (command, input) => command === 'GetItemCommand' && input?.Key?.sk === `DEPLOYMENT#${gone!.id}`,
      seen: 0,
      before: async () => {
        const del = await api.call(
          'DELETE',
          `/api/v1/organizations/${s.source.orgId}/deployments/${gone!.id}`,
          {
            as: s.user,
          },
        );
        expect(del.status, del.text).toBe(200);
      },
    };
    hold(h);
    const id = await start(api, s);
    const m = await waitFor(api, s.user, id, finished);
    expect(h.seen).toBe(1);
    expect([m.status, m.error]).toEqual(['failed', 'MigrationRolledBack']);
    // The user is still in the source with the project; the deployment they deleted stays deleted, and the cause says so.
    const inSource = async (kind: string) =>
      (await api.call('GET', `/api/v1/organizations/${s.source.orgId}/${kind}`, { as: s.user })).body[kind];
    expect(
      [...(await inSource('deployments')), ...(await inSource('projects'))].map((r: any) => r.id),
    ).toEqual([kept!.id]);
    expect(m.cause).toMatch(/^Stopped at "Back up deployments": /);
    expect(m.cause).not.toMatch(/every deployment is still there/);
    expect(m.cause).toMatch(/still a member of the source organization/);
    expect(m.cause).toContain(`deployment ${gone!.id}`);
    expect(m.cause).toMatch(/deleted while the migration ran/);
  });

  it('the target organization closes while the migration waits: the migration ends at once, saying why', async () => {
    const s = await scene(api, 'closing', 1);
    const id = await start(api, s);
    await waitFor(api, s.user, id, waitingForAcceptance);
    // The target's only member leaves, which closes it: the invitation can never be accepted now.
    const left = await api.call('DELETE', `/api/v1/organizations/${s.target.orgId}/members/me`, {
      as: s.target.admin,
    });
    expect(left.status, left.text).toBe(200);
    const m = await waitFor(api, s.user, id, finished);
    expect(m.status).toBe('failed');
    expect(m.error).toBe('TargetOrganizationClosed');
    expect(m.cause).toMatch(/target organization was closed.*1 snapshot\(s\) are intact/);
  });

  it('the target closes between the leave step’s read and its write: the user stays in the source, the move rolls back', async () => {
    const s = await scene(api, 'closefirst', 2);
    const mover = `USER#${localUserId(s.user)}`;
    const h: Hold = {
      // The mover's leave transaction (it releases their organization lock), read already, about to commit.
      match: (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        (input?.TransactItems ?? []).some(
          (i: any) => i.Update?.Key?.pk === mover && i.Update.UpdateExpression === 'REMOVE organization_id',
        ),
      seen: 0,
      // The target's only member leaves first, which closes it: it can no longer take the mover.
      before: async () => {
        const left = await api.call('DELETE', `/api/v1/organizations/${s.target.orgId}/members/me`, {
          as: s.target.admin,
        });
        expect(left.status, left.text).toBe(200);
      },
    };
    hold(h);
    const id = await start(api, s);
    const m = await waitFor(api, s.user, id, finished);
    expect(h.seen).toBe(1);
    expect([m.status, m.error]).toEqual(['failed', 'MigrationRolledBack']);
    expect(m.left_at).toBeUndefined();
    expect(m.cause).toMatch(/target organization was closed/);
    expect(stepStatuses(m)).toMatchObject({
      'Leave source organization': 'failed',
      'Recreate deleted deployments': 'succeeded',
    });
    // Still a member of the source, with the deployments the move had deleted recreated there as they were.
    const orgs = (await api.call('GET', '/api/v1/organizations', { as: s.user })).body.organizations;
    expect(orgs.map((o: any) => o.id)).toEqual([s.source.orgId]);
    const inSource = async (kind: string) =>
      (await api.call('GET', `/api/v1/organizations/${s.source.orgId}/${kind}`, { as: s.user })).body[kind];
    const back = [...(await inSource('deployments')), ...(await inSource('projects'))];
    expect(back.map((r: any) => [r.id, r.name]).sort()).toEqual(
      s.resources.map((r) => [r.id, r.name]).sort(),
    );
    await assertNothingLost(api, s, m);
  });

  it('the same migration start sent twice at once answers the one migration both times', async () => {
    const s = await scene(api, 'twice', -1);
    const body = { target_organization_id: s.target.orgId, repository_id: s.repoId };
    let second: ApiResponse | undefined;
    const h: Hold = {
      match: (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        String(input?.TransactItems?.[0]?.Put?.Item?.pk ?? '').startsWith('MIGRATION#'),
      seen: 0,
      // The first start has read and is about to write; the same request, sent again, gets there first.
      before: async () => {
        second = await api.call('POST', '/api/v1/migrations', { as: s.user, body });
      },
    };
    hold(h);
    const first = await api.call('POST', '/api/v1/migrations', { as: s.user, body });
    expect(h.seen).toBe(1);
    expect(second?.status, second?.text).toBe(201);
    expect(first.status, first.text).toBe(200);
    expect(first.body.id).toBe(second?.body.id);
    await waitFor(api, s.user, first.body.id, waitingForAcceptance);
  });

  it('30 concurrent invites of one address all answer 201 and leave one pending invitation', async () => {
    const org = await orgWithAdmin(api, 'burst');
    const who = api.email('burst');
    const answers = await Promise.all(Array.from({ length: 30 }, () => invite(api, org, [who])));
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(201));
    const tokens = new Set(answers.map((a) => a.body.invitations?.[0]?.token ?? a.body[0]?.token));
    expect(tokens.size).toBe(1);
    const list = await api.call('GET', `/api/v1/organizations/${org.orgId}/invitations`, { as: org.admin });
    expect(list.body.invitations.filter((i: any) => i.email === who)).toHaveLength(1);
  });

  it('a look-alike address (KELVIN SIGN) can neither be invited nor accept the ASCII address’s invitation', async () => {
    const org = await orgWithAdmin(api, 'kelvin');
    const kate = api.email('kate');
    const lookAlike = kate.replace(/^k/, '\u212A');
    const refused = await invite(api, org, [lookAlike]);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].code).toBe('organization.invitation_invalid_email');
    expect((await invite(api, org, [kate])).status).toBe(201);
    const res = await api.call(
      'POST',
      `/api/v1/organizations/invitations/${await tokenFromMail(api, kate)}/_accept`,
      {
        token: await api.token(lookAlike, { sub: `kelvin-${api.email('k')}` }),
      },
    );
    expect(res.status).toBe(403);
    expect(await membership(org.orgId, org.admin, kate)).toBeUndefined();
  });

  it('a member removed right after starting a migration: the cause says what is true now', async () => {
    const s = await scene(api, 'removed', -1);
    const member = await membership(s.source.orgId, s.source.admin, s.user);
    const h: Hold = {
      match: startsStep('Validate migration'),
      seen: 0,
      // The admin removes the mover after the migration started, before it validates.
      before: async () => {
        const removed = await api.call(
          'DELETE',
          `/api/v1/organizations/${s.source.orgId}/members/${member.user_id}`,
          { as: s.source.admin },
        );
        expect(removed.status, removed.text).toBe(200);
      },
    };
    hold(h);
    const id = await start(api, s);
    const m = await waitFor(api, s.user, id, finished);
    expect(h.seen).toBe(1);
    expect(m.status).toBe('failed');
    expect(m.cause).toMatch(/no longer a member/);
    expect(m.cause).not.toMatch(/you are still a member/);
  });
});

describe('a re-invite racing the accept', () => {
  it('a re-invite whose read sees the invitation accepted but not yet the member: 400 already a member, no pending invitation left', async () => {
    const org = await orgWithAdmin(api, 'reinvite-race');
    const x = api.email('reinvite-racer');
    expect((await invite(api, org, [x])).status).toBe(201);
    const token = await tokenFromMail(api, x);
    const reads = (key: string) => (keys: any[]) => keys.some((k) => k?.sk === key);

    // The re-invite's one BatchGetItem: the accept lands just before it, and its answer is the one a BatchGet (no
    // snapshot) may give: the invitation after the accept's commit, the member-email marker from before it.
    const h: Hold = {
      match: (command, input) =>
        command === 'BatchGetItemCommand' &&
        Object.values(input?.RequestItems ?? {}).some(
          (r: any) => reads(`INVITATION#${x}`)(r.Keys ?? []) && reads(`EMAIL#${x}`)(r.Keys ?? []),
        ),
      seen: 0,
      before: async () => {
        const accepted = await acceptAs(token, x);
        expect(accepted.status, accepted.text).toBe(200);
      },
      after: (output) => {
        for (const [table, items] of Object.entries(output.Responses ?? {}))
          output.Responses[table] = (items as any[]).filter((i) => i.sk !== `EMAIL#${x}`);
      },
    };
    hold(h);
    const res = await invite(api, org, [x]);
    expect(h.seen).toBe(1); // the race really happened
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors[0].code).toBe('organization.user_organization_already_belongs');
    const inv = await invitationItem(org.orgId, x);
    expect(inv?.status).toBe('accepted');
    expect(await membership(org.orgId, org.admin, x)).toBeDefined();
  });
});

describe('admin writes hold their author’s membership (an admin demoted between the read and the write is refused)', () => {
  /** The transaction writing (or checking) an item of this organization with this sort key. */
  const writes = (orgId: string, sk: string) => (command: string, input: any) =>
    command === 'TransactWriteItemsCommand' &&
    (input?.TransactItems ?? []).some((i: any) => {
      const key = i.Put?.Item ?? i.Update?.Key ?? i.Delete?.Key;
      return key?.pk === `ORG#${orgId}` && key?.sk === sk;
    });
  /** A second admin, B, and a hold that lets A demote B just before `match` is written. */
  const demotedWhile = async (label: string) => {
    const org = await orgWithAdmin(api, label);
    const b = await addMember(api, org, `${label}-b`, adminOf(org.orgId));
    const demoteB = (match: Hold['match']): Hold =>
      hold({
        match,
        seen: 0,
        before: async () => {
          const demoted = await api.call('DELETE', `/api/v1/users/${b.userId}/role_assignments`, {
            as: org.admin,
            body: adminOf(org.orgId),
          });
          expect(demoted.status, demoted.text).toBe(200);
        },
      });
    return { org, b, demoteB };
  };

  it('invite: no invitation granting organization-admin lands; the invite answers 403', async () => {
    const { org, b, demoteB } = await demotedWhile('authz-invite');
    const x = api.email('authz-invitee');
    const h = demoteB(writes(org.orgId, `INVITATION#${x}`));
    const res = await invite(api, { orgId: org.orgId, admin: b.email }, [x], {
      role_assignments: adminOf(org.orgId),
    });
    expect(h.seen).toBe(1); // the race really happened
    expect(res.status, res.text).toBe(403);
    expect(res.body.errors[0].code).toBe('root.invalid_authentication');
    expect(await invitationItem(org.orgId, x)).toBeUndefined();
  });

  it('revoke: the invitation stays pending; the revoke answers 403', async () => {
    const { org, b, demoteB } = await demotedWhile('authz-revoke');
    const x = api.email('authz-kept');
    expect((await invite(api, org, [x])).status).toBe(201);
    const token = await tokenFromMail(api, x);
    const h = demoteB(writes(org.orgId, `INVITATION#${x}`));
    const res = await api.call('DELETE', `/api/v1/organizations/${org.orgId}/invitations/${token}`, {
      as: b.email,
    });
    expect(h.seen).toBe(1);
    expect(res.status, res.text).toBe(403);
    expect((await invitationItem(org.orgId, x))?.status).toBe('pending');
  });

  it('deployment create: no deployment lands; the create answers 403', async () => {
    const { org, b, demoteB } = await demotedWhile('authz-deploy');
    const h = demoteB(
      (command, input) =>
        command === 'TransactWriteItemsCommand' &&
        (input?.TransactItems ?? []).some((i: any) =>
          String(i.Put?.Item?.sk ?? '').startsWith('DEPLOYMENT#'),
        ),
    );
    const res = await api.call('POST', `/api/v1/organizations/${org.orgId}/deployments`, {
      as: b.email,
      body: { name: 'late', configuration: {} },
    });
    expect(h.seen).toBe(1);
    expect(res.status, res.text).toBe(403);
    const listed = await api.call('GET', `/api/v1/organizations/${org.orgId}/deployments`, { as: org.admin });
    expect(listed.status, listed.text).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain('late');
  });

  it('an invite of 100 addresses is written in two parts; demoted before the second, the first 99 stand and the answer says so', async () => {
    const { org, b, demoteB } = await demotedWhile('authz-parts');
    const xs = Array.from({ length: 100 }, (_, i) => api.email(`authz-part${i}`));
    const h = demoteB(writes(org.orgId, `INVITATION#${xs[99]}`));
    const res = await invite(api, { orgId: org.orgId, admin: b.email }, xs);
    expect(h.seen).toBe(1);
    expect(res.status, res.body.errors?.[0]?.message).toBe(403);
    expect(res.body.errors[0].message).toMatch(/written in parts: 99 of its 100 addresses were invited/);
    expect((await invitationItem(org.orgId, xs[0]!))?.status).toBe('pending');
    expect((await invitationItem(org.orgId, xs[98]!))?.status).toBe('pending');
    expect(await invitationItem(org.orgId, xs[99]!)).toBeUndefined();
  });
});

const adminOf = (orgId: string) => ({
  organization: [{ role_id: 'organization-admin', organization_id: orgId }],
});
const billingOf = (orgId: string) => ({
  organization: [{ role_id: 'billing-admin', organization_id: orgId }],
});
