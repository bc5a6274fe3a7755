/**
 * Concurrency: bursts of invites, accepts, role changes, leaves and removals, interleaved at random (seeded, so a
 * failure is reproducible with CONCURRENCY_SEED) over a few organizations and users, all through the real handlers on
 * DynamoDB Local; afterwards the invariant checker finds nothing. Plus the known traps, each run several times.
 */
import { describe, expect, it } from 'vitest';
import { invite, orgWithAdmin, tokenFromMail } from '../support/factories.ts';
import { acceptFromMail, finished, scene, waitFor, waitingForAcceptance } from '../support/migration.ts';
import { seeded } from '../support/random.ts';
import { type ApiResponse, useStack } from '../support/stack.ts';

const api = useStack();
const SEED = Number(process.env.CONCURRENCY_SEED ?? 20261122);
const BURSTS = 20;
const BURST_SIZE = 25;

const acceptPath = (token: string) => `/api/v1/organizations/invitations/${token}/_accept`;

describe('random interleavings (seeded)', () => {
  it('bursts of invites, accepts, role changes, leaves and removals leave every invariant intact', async () => {
    const rng = seeded(SEED);
    const orgs = await Promise.all(['c1', 'c2', 'c3'].map((l) => orgWithAdmin(api, l)));
    const people = Array.from({ length: 15 }, (_, i) => api.email(`person${i}`));
    const everyone = [...orgs.map((o) => o.admin), ...people];
    const statuses: Record<number, number> = {};
    let ops = 0;
    // Each organization starts with three members besides its admin; six people start outside.
    for (const [k, o] of orgs.entries()) {
      const joining = people.slice(3 * k, 3 * k + 3);
      await invite(api, o, joining);
      for (const who of joining)
        expect((await api.call('POST', acceptPath(await tokenFromMail(api, who)), { as: who })).status).toBe(
          200,
        );
    }

    for (let burst = 0; burst < BURSTS; burst++) {
      // What each organization looks like now, read through its first admin (who may have left: then it is empty).
      const state = await Promise.all(
        orgs.map(async (o) => {
          const members = await api.call('GET', `/api/v1/organizations/${o.orgId}/members`, { as: o.admin });
          const invitations = await api.call('GET', `/api/v1/organizations/${o.orgId}/invitations`, {
            as: o.admin,
          });
          return {
            ...o,
            members: (members.body.members ?? []) as { user_id: string; email: string }[],
            pending: (
              (invitations.body.invitations ?? []) as { email: string; token: string; expired: boolean }[]
            ).filter((i) => !i.expired),
          };
        }),
      );
      const actions: (() => Promise<ApiResponse>)[] = [];
      for (let k = 0; k < BURST_SIZE; k++) {
        const o = rng.pick(state);
        const kind = rng.pick([
          'invite',
          'accept',
          'accept',
          'promote',
          'demote',
          'leave',
          'remove',
        ] as const);
        const member = o.members.length ? rng.pick(o.members) : undefined;
        // The first admin stays a member (it may be demoted), so every organization remains observable.
        const leaver = member?.email === o.admin ? undefined : member;
        const actor = o.members.length && rng.next() < 0.3 ? rng.pick(o.members).email : o.admin;
        if (kind === 'invite') {
          const who = [rng.pick(everyone), rng.pick(people)];
          actions.push(() =>
            api.call('POST', `/api/v1/organizations/${o.orgId}/invitations`, {
              as: actor,
              body: { emails: who },
            }),
          );
        } else if (kind === 'accept' && o.pending.length) {
          const inv = rng.pick(o.pending);
          // Usually the invitee; sometimes someone else holding the link.
          const as = rng.next() < 0.85 ? inv.email : rng.pick(everyone);
          actions.push(() => api.call('POST', acceptPath(inv.token), { as }));
        } else if ((kind === 'promote' || kind === 'demote') && member) {
          actions.push(() =>
            api.call(
              kind === 'promote' ? 'POST' : 'DELETE',
              `/api/v1/users/${member.user_id}/role_assignments`,
              {
                as: actor,
                body: { organization: [{ role_id: 'organization-admin', organization_id: o.orgId }] },
              },
            ),
          );
        } else if (kind === 'leave' && leaver) {
          actions.push(() =>
            api.call('DELETE', `/api/v1/organizations/${o.orgId}/members/${leaver.user_id}`, {
              as: leaver.email,
            }),
          );
        } else if (kind === 'remove' && leaver) {
          actions.push(() =>
            api.call('DELETE', `/api/v1/organizations/${o.orgId}/members/${leaver.user_id}`, { as: actor }),
          );
        }
      }
      const results = await Promise.all(actions.map((a) => a()));
      for (const r of results) {
        ops++;
        statuses[r.status] = (statuses[r.status] ?? 0) + 1;
        expect(r.status, r.text).toBeLessThan(500);
        if (r.status >= 400) expect(r.body.errors?.[0]?.code, r.text).toEqual(expect.any(String));
      }
    }

    expect(await api.violations()).toEqual([]);
    // And as a user would check it: nobody sees more than one organization.
    for (const who of everyone) {
      const mine = await api.call('GET', '/api/v1/organizations', { as: who });
      expect(mine.body.organizations.length, who).toBeLessThanOrEqual(1);
    }
    console.log(
      `concurrency (seed ${SEED}): ${ops} operations in ${BURSTS} bursts of ${BURST_SIZE}; statuses ${JSON.stringify(statuses)}`,
    );
    // The run exercised both outcomes: work done and work refused.
    expect(Object.keys(statuses).some((s) => Number(s) < 300)).toBe(true);
    expect(Object.keys(statuses).some((s) => Number(s) >= 400)).toBe(true);
  }, 120_000); // 500 requests on 2 cores: minutes under load, not the default 30 s
});

describe('known traps', () => {
  it('a member removed while accepting an invitation elsewhere ends in exactly one place', async () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const a = await orgWithAdmin(api, `trapA${i}`);
      const b = await orgWithAdmin(api, `trapB${i}`);
      const user = api.email(`trapped${i}`);
      await invite(api, a, [user]);
      expect((await api.call('POST', acceptPath(await tokenFromMail(api, user)), { as: user })).status).toBe(
        200,
      );
      await invite(api, b, [user]);
      const token = await tokenFromMail(api, user);
      const userId = await api.userId(user);

      const [removed, accepted] = await Promise.all([
        api.call('DELETE', `/api/v1/organizations/${a.orgId}/members/${userId}`, { as: a.admin }),
        api.call('POST', acceptPath(token), { as: user }),
      ]);
      expect(removed.status, removed.text).toBe(200);
      const orgsNow = (await api.call('GET', '/api/v1/organizations', { as: user })).body.organizations;
      if (accepted.status === 200) {
        expect(orgsNow.map((o: { id: string }) => o.id)).toEqual([b.orgId]);
      } else {
        // The accept landed before the removal: "leave it first" is what was true then (the code's status is 400).
        expect(accepted.status, accepted.text).toBe(400);
        expect(accepted.body.errors[0].code).toBe('organization.user_organization_already_belongs');
        expect(orgsNow).toEqual([]);
      }
      outcomes.add(String(accepted.status));
    }
    expect(await api.violations()).toEqual([]);
    console.log(`remove-while-accepting: accept outcomes seen ${[...outcomes].join(', ')}`);
  });

  it.each([
    ['a member of a shared organization', -1],
    ['a sole member with nothing to bring', 0],
  ])('a migration racing a manual leave (%s) ends cleanly and loses nothing', async (_l, n) => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const s = await scene(api, `race${n + 1}-${i}`, n);
      const userId = await api.userId(s.user);
      const [started, left] = await Promise.all([
        api.call('POST', '/api/v1/migrations', {
          as: s.user,
          body: { target_organization_id: s.target.orgId, repository_id: s.repoId },
        }),
        api.call('DELETE', `/api/v1/organizations/${s.source.orgId}/members/${userId}`, {
          as: s.user,
        }),
      ]);
      expect(started.status, started.text).toBeLessThan(500);
      expect(left.status, left.text).toBeLessThan(500);
      if (started.status !== 201) {
        // The leave won: the migration was refused with a reason, and the user is simply out.
        expect(started.body.errors[0].code).toEqual(expect.any(String));
        outcomes.add('refused to start');
        continue;
      }
      const id = started.body.id as string;
      const m0 = await waitFor(api, s.user, id, (m) => finished(m) || waitingForAcceptance(m));
      if (!finished(m0)) await acceptFromMail(api, s.user);
      const m = await waitFor(api, s.user, id, finished);
      expect(['succeeded', 'failed']).toContain(m.status);
      outcomes.add(`${m.status}${left.status === 200 ? ' after a manual leave' : ''}`);
      // Where the user is now follows from what happened, whichever order it happened in.
      const ids = (await api.call('GET', '/api/v1/organizations', { as: s.user })).body.organizations.map(
        (o: { id: string }) => o.id,
      );
      if (m.status === 'succeeded') expect(ids).toEqual([s.target.orgId]);
      else expect(ids).toEqual(left.status === 200 || m.left_at ? [] : [s.source.orgId]);
    }
    expect(await api.violations()).toEqual([]);
    console.log(`migration racing a leave (${n < 0 ? 'shared' : 'sole'}): ${[...outcomes].join('; ')}`);
  });
});
