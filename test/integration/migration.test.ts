import { describe, expect, it } from 'vitest';
import {
  acceptFromMail,
  assertNothingLost,
  finished,
  scene,
  start,
  stateTransitions,
  stepStatuses,
  waitFor,
  waitingForAcceptance,
} from '../support/migration.ts';
import { seeded } from '../support/random.ts';
import { useStack } from '../support/stack.ts';

const api = useStack();

describe('migration: happy paths through the real definition', () => {
  it.each([
    ['a member of a shared organization (nothing to bring)', -1],
    ['a sole member with no deployments', 0],
    ['a sole member with 1 deployment', 1],
    ['a sole member with 5 deployments and projects', 5],
  ])('%s', async (_label, n) => {
    const s = await scene(api, `happy${n + 1}`, n);
    const id = await start(api, s);
    const waiting = await waitFor(api, s.user, id, waitingForAcceptance);
    expect(waiting.left_at).toBeDefined();
    expect((await api.call('GET', '/api/v1/organizations', { as: s.user })).body.organizations).toEqual([]);
    // Every step is listed, as it really is: the wait still waits, what follows has not started.
    const brings = n > 0;
    const backup = brings ? 'succeeded' : 'skipped';
    expect(stepStatuses(waiting)).toEqual({
      'Validate migration': 'succeeded',
      'Back up deployments': backup,
      'Verify backups': backup,
      'Delete source deployments': backup,
      'Leave source organization': 'succeeded',
      'Re-invite to target organization': 'succeeded',
      'Wait for invitation acceptance': 'waiting',
      'Restore deployments': brings ? 'waiting' : 'skipped',
      'Record outcome': 'waiting',
      'Notify user': 'waiting',
    });
    expect(
      waiting.history.find((h: { step: string }) => h.step === 'Wait for invitation acceptance'),
    ).toEqual({
      step: 'Wait for invitation acceptance',
      status: 'waiting',
      started_at: expect.any(String),
    });

    // The re-invite is a step of the move, not the first invitation again, and never says to leave first.
    const mails = await api.mailTo(s.user);
    const [first, again] = [mails.at(-2)!, mails.at(-1)!];
    expect(again.subject).toBe(`Accept your invitation to ${s.target.name} to finish your move`);
    expect(again.body.text).not.toBe(first.body.text);
    expect(again.body.text).toContain('accepting this invitation is the next step of your move');
    expect(again.body.text).toMatch(/After you accept, .* restored there/);
    expect(again.body.text).not.toMatch(/leave it first/i);

    await acceptFromMail(api, s.user);
    // "Record success" sets the status; "Notify user" follows it.
    const m = await waitFor(api, s.user, id, (x) => stepStatuses(x)['Notify user'] === 'succeeded');
    expect(m.status, JSON.stringify(m)).toBe('succeeded');
    expect(stepStatuses(m)).toEqual({
      'Validate migration': 'succeeded',
      'Back up deployments': backup,
      'Verify backups': backup,
      'Delete source deployments': backup,
      'Leave source organization': 'succeeded',
      'Re-invite to target organization': 'succeeded',
      'Wait for invitation acceptance': 'succeeded',
      'Restore deployments': backup,
      'Record outcome': 'succeeded',
      'Notify user': 'succeeded',
    });
    await assertNothingLost(api, s, m);

    // Invited as deployment-admin for all; the projects they brought come with their admin role, scoped to them.
    const me = (await api.call('GET', '/api/v1/users/me', { as: s.user })).body;
    expect(me.organization.id).toBe(s.target.orgId);
    expect(me.role_assignments.deployment).toEqual([
      { role_id: 'deployment-admin', organization_id: s.target.orgId, all: true },
    ]);
    // The target had no projects before: every project there now is one the mover brought.
    const restoredProjects = (
      await api.call('GET', `/api/v1/organizations/${s.target.orgId}/projects`, { as: s.target.admin })
    ).body.projects
      .map((p: { id: string }) => p.id)
      .sort();
    expect(me.role_assignments.project?.security ?? []).toEqual(
      restoredProjects.length
        ? [{ role_id: 'security-admin', organization_id: s.target.orgId, project_ids: restoredProjects }]
        : [],
    );
    const seen = (await api.call('GET', `/api/v1/organizations/${s.target.orgId}/projects`, { as: s.user }))
      .body.projects;
    expect(seen.map((p: { id: string }) => p.id).sort()).toEqual(restoredProjects);

    const done = (await api.mailTo(s.user)).at(-1)!;
    expect(done.subject).toBe(`Your move to ${s.target.name} is complete`);
    expect(done.body.text).toContain(`${api.stack.apiUrl}/console/#/migrations/${id}`);
    expect(done.body.text).not.toContain('GET /api');
    if (n >= 0) {
      expect(
        (await api.call('GET', `/api/v1/organizations/${s.source.orgId}`, { as: s.source.admin })).status,
      ).toBe(404); // closed
    }
    // A migration that succeeded on its own has nothing to restore.
    const restore = await api.call('POST', `/api/v1/migrations/${id}/_restore`, { as: s.user });
    expect([restore.status, restore.body.errors?.[0]?.code]).toEqual([400, 'migration.restore_not_possible']);
    const transitions = await stateTransitions(api, id);
    console.log(`migration with ${Math.max(n, 0)} resource(s): ${transitions} state transitions`);
    expect(transitions).toBeLessThanOrEqual(15 + 4 * Math.max(n, 0));
  });

  it('refuses to start without a pending invitation, twice at once, or with a repository that is not yours', async () => {
    const s = await scene(api, 'pre', 1);
    const noInvite = await api.call('POST', '/api/v1/migrations', {
      as: s.user,
      body: { target_organization_id: 'nowhere', repository_id: s.repoId },
    });
    expect([noInvite.status, noInvite.body.errors[0].code]).toEqual([400, 'migration.invitation_required']);
    const foreignRepo = await api.call('POST', '/api/v1/migrations', {
      as: s.user,
      body: { target_organization_id: s.target.orgId, repository_id: 'not-mine' },
    });
    expect([foreignRepo.status, foreignRepo.body.errors[0].code]).toEqual([
      404,
      'snapshot_repository.not_found',
    ]);
    const first = await start(api, s);
    const again = await api.call('POST', '/api/v1/migrations', {
      as: s.user,
      body: { target_organization_id: s.target.orgId, repository_id: s.repoId },
    });
    expect([again.status, again.body.id]).toEqual([200, first]); // a retried start returns the same migration
    const other = await api.call('GET', `/api/v1/migrations/${first}`, { as: s.target.admin });
    expect(other.status).toBe(404);
    const waiting = await waitFor(api, s.user, first, waitingForAcceptance);
    expect(waiting.left_at).toBeDefined();
    // Sent again after the leave (the caller is in no organization now): still the same migration.
    const late = await api.call('POST', '/api/v1/migrations', {
      as: s.user,
      body: { target_organization_id: s.target.orgId, repository_id: s.repoId },
    });
    expect([late.status, late.body.id], late.text).toEqual([200, first]);
    // Another request still gets its own answer, in the usual order (not a member before already active).
    const elsewhere = await api.call('POST', '/api/v1/migrations', {
      as: s.user,
      body: { target_organization_id: s.source.orgId, repository_id: s.repoId },
    });
    expect([elsewhere.status, elsewhere.body.errors?.[0]?.code]).toEqual([400, 'migration.not_member']);
    await acceptFromMail(api, s.user);
    await waitFor(api, s.user, first, finished);
  });
});

/** Map states record under the Map's name. */
const MAP_STATES: Record<string, string> = {
  'Back up one deployment': 'Back up deployments',
  'Restore and verify one deployment': 'Restore deployments',
};
const COMPENSATION: Record<string, string> = {
  'Back up one deployment': 'Remove partial backups',
  'Verify backups': 'Remove partial backups',
  'Delete source deployments': 'Recreate deleted deployments',
  'Leave source organization': 'Recreate deleted deployments',
};

describe('migration: a failure at each step keeps every deployment', () => {
  it.each([
    ['Back up one deployment', false],
    ['Verify backups', false],
    ['Delete source deployments', false],
    ['Leave source organization', false],
    ['Re-invite to target organization', true],
    ['Restore and verify one deployment', true],
  ])('failing "%s"', async (state, afterLeaving) => {
    const s = await scene(
      api,
      `f${state
        .split(' ')
        .map((w) => w[0])
        .join('')}`,
      3,
    );
    api.stack.faults.set(state, { error: 'StepFailed' });
    try {
      const id = await start(api, s);
      if (state === 'Restore and verify one deployment') {
        await waitFor(api, s.user, id, waitingForAcceptance);
        await acceptFromMail(api, s.user);
      }
      const m = await waitFor(api, s.user, id, finished);
      expect(m.status).toBe('failed');
      expect(m.error).toBe(afterLeaving ? 'RestorePending' : 'MigrationRolledBack');
      expect(m.cause).toMatch(afterLeaving ? /snapshot\(s\) are intact/ : /Nothing changed/);
      await assertNothingLost(api, s, m);
      // The step that failed is shown failed (even though its task never ran: the fault is before the handler),
      // what came before succeeded, what never ran is skipped, and the compensation that ran is listed.
      const failedStep = MAP_STATES[state] ?? state;
      const statuses = stepStatuses(m);
      const main = Object.keys(statuses).slice(0, 8);
      const at = main.indexOf(failedStep);
      expect(at, JSON.stringify(statuses)).toBeGreaterThanOrEqual(0);
      expect(main.map((step) => statuses[step])).toEqual(
        main.map((_, i) => (i < at ? 'succeeded' : i === at ? 'failed' : 'skipped')),
      );
      expect(statuses['Record outcome']).toBe('succeeded');
      const compensation = COMPENSATION[state];
      if (compensation) expect(statuses[compensation]).toBe('succeeded');
      const failedMail = (await api.mailTo(s.user)).at(-1)!;
      expect(failedMail.subject).toBe(`Your move to ${s.target.name} needs your attention`);
      expect(failedMail.body.text).toContain(`/console/#/migrations/${id}`);
      if (!afterLeaving) {
        // Still in the source, with every deployment exactly as it was.
        const deployments = (
          await api.call('GET', `/api/v1/organizations/${s.source.orgId}/deployments`, { as: s.user })
        ).body.deployments;
        expect(deployments.map((d: { id: string }) => d.id).sort()).toEqual(
          s.resources
            .filter((r) => r.kind === 'deployments')
            .map((r) => r.id)
            .sort(),
        );
      }
      if (state === 'Restore and verify one deployment') {
        api.stack.faults.delete(state);
        const restored = await api.call('POST', `/api/v1/migrations/${id}/_restore`, { as: s.user });
        expect(restored.status, restored.text).toBe(200);
        expect(restored.body.status).toBe('succeeded');
        expect(stepStatuses(restored.body)).toMatchObject({
          'Restore deployments': 'failed',
          'Restore deployments (re-run)': 'succeeded',
        });
        await assertNothingLost(api, s, restored.body);
        // Retried after it finished (say its answer was lost): the same answer, nothing restored twice.
        const again = await api.call('POST', `/api/v1/migrations/${id}/_restore`, { as: s.user });
        expect([again.status, again.body.restored]).toEqual([200, restored.body.restored]);
        await assertNothingLost(api, s, again.body);
      }
    } finally {
      api.stack.faults.delete(state);
    }
  });

  it('a task that runs twice (retried after it did its work) duplicates nothing', async () => {
    const s = await scene(api, 'twice', 2);
    api.stack.faults.set('Back up one deployment', { error: 'TransientError', times: 2, after: true });
    api.stack.faults.set('Restore and verify one deployment', {
      error: 'TransientError',
      times: 2,
      after: true,
    });
    try {
      const id = await start(api, s);
      await waitFor(api, s.user, id, waitingForAcceptance, 30_000);
      await acceptFromMail(api, s.user);
      const m = await waitFor(api, s.user, id, finished, 30_000);
      expect(m.status).toBe('succeeded');
      const snaps = (
        await api.call('GET', `/api/v1/users/me/snapshot-repositories/${s.repoId}/snapshots`, { as: s.user })
      ).body.snapshots;
      expect(snaps).toHaveLength(2);
      await assertNothingLost(api, s, m); // exactly the two resources in the target, no copies
    } finally {
      api.stack.faults.clear();
    }
  }, 60_000);
});

describe('random multi-fault runs (seeded)', () => {
  const MAIN_PATH = [
    'Validate migration',
    'Back up one deployment',
    'Verify backups',
    'Delete source deployments',
    'Leave source organization',
    'Re-invite to target organization',
    'Restore and verify one deployment',
  ];
  const ANY_TASK = [
    ...MAIN_PATH,
    'Wait for invitation acceptance',
    'Record success',
    'Notify user',
    'Remove partial backups',
    'Recreate deleted deployments',
    'Record failure',
    'Notify user of failure',
  ];
  const seed = Number(process.env.MIGRATION_FAULT_SEED ?? 7);

  it('several faults at once (retried blips and hard failures) end in a clean outcome with nothing lost', async () => {
    const { next, pick } = seeded(seed);
    const seen: string[] = [];
    for (let run = 0; run < 6; run++) {
      const s = await scene(api, `multi${run}`, 2);
      const planned: string[] = [];
      const count = 1 + Math.floor(next() * 3);
      for (let k = 0; k < count; k++) {
        if (next() < 0.35) {
          const state = pick(MAIN_PATH);
          api.stack.faults.set(state, { error: 'StepFailed' });
          planned.push(`${state}: StepFailed`);
        } else {
          // Retried blips: at most 2 failures, within the 4 attempts every task has.
          const state = pick(ANY_TASK);
          const times = 1 + Math.floor(next() * 2);
          api.stack.faults.set(state, { error: 'TransientError', times, after: next() < 0.5 });
          planned.push(`${state}: TransientError x${times}`);
        }
      }
      try {
        const id = await start(api, s);
        const first = await waitFor(api, s.user, id, (m) => finished(m) || waitingForAcceptance(m), 30_000);
        if (!finished(first)) await acceptFromMail(api, s.user);
        const m = await waitFor(api, s.user, id, finished, 30_000);
        const hard = planned.some((p) => p.endsWith('StepFailed'));
        if (!hard) expect(m.status, planned.join('; ')).toBe('succeeded');
        expect(['succeeded', 'failed'], planned.join('; ')).toContain(m.status);
        await assertNothingLost(api, s, m);
        seen.push(`[${planned.join(', ')}] -> ${m.status}${m.error ? ` (${m.error})` : ''}`);
      } finally {
        api.stack.faults.clear();
      }
    }
    expect(await api.violations()).toEqual([]);
    console.log(`multi-fault migrations (seed ${seed}):\n  ${seen.join('\n  ')}`);
  }, 180_000);
});
