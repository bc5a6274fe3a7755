/** The wait for acceptance times out (shortened locally): the run ends with InvitationExpired and keeps every snapshot. */
import { describe, expect, it } from 'vitest';
import { invite } from '../support/factories.ts';
import {
  acceptFromMail,
  assertNothingLost,
  describeExecution,
  executionEnded,
  finished,
  scene,
  start,
  stepStatuses,
  waitFor,
} from '../support/migration.ts';
import { useStack } from '../support/stack.ts';

const api = useStack({
  taskTimeoutMs: 1500,
  localOnly: "shortens the workflow's wait for acceptance, a setting of the local runtime",
});

describe('migration: invitation expired during the wait', () => {
  it('fails with InvitationExpired, keeps the snapshots, and a later restore brings everything back', async () => {
    const s = await scene(api, 'expire', 2);
    const id = await start(api, s);
    const m = await waitFor(api, s.user, id, finished);
    expect(m.status).toBe('failed');
    expect(m.error).toBe('InvitationExpired');
    expect(m.cause).toMatch(/Your 2 snapshot\(s\) are intact.*invite you again.*_restore/);
    await assertNothingLost(api, s, m);
    // Operators see the same error and cause on the execution (DescribeExecution, as in the console).
    await executionEnded(api, id); // the outcome is recorded a state or two before the execution ends
    const execution = await describeExecution(api, id);
    expect([execution.status, execution.error]).toEqual(['FAILED', 'InvitationExpired']);
    expect(execution.cause).toBe(m.cause);
    expect((await api.mailTo(s.user)).at(-1)!.subject).toBe(
      `Your move to ${s.target.name} needs your attention`,
    );
    // The wait that timed out is the step that failed; the restore never ran.
    expect(stepStatuses(m)).toMatchObject({
      'Re-invite to target organization': 'succeeded',
      'Wait for invitation acceptance': 'failed',
      'Restore deployments': 'skipped',
      'Record outcome': 'succeeded',
    });

    const early = await api.call('POST', `/api/v1/migrations/${id}/_restore`, { as: s.user });
    expect([early.status, early.body.errors[0].code]).toEqual([400, 'migration.restore_not_possible']);

    // The admin invites again (a refresh of the still-pending invitation), the user accepts, then restores. That
    // email is a plain invitation: the failed move no longer restores by itself on acceptance.
    expect((await invite(api, s.target, [s.user])).status).toBe(201);
    expect((await api.mailTo(s.user)).at(-1)!.subject).not.toMatch(/finish your move/);
    await acceptFromMail(api, s.user);
    const restored = await api.call('POST', `/api/v1/migrations/${id}/_restore`, { as: s.user });
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body.status).toBe('succeeded');
    await assertNothingLost(api, s, restored.body);
    const again = await api.call('POST', `/api/v1/migrations/${id}/_restore`, { as: s.user });
    // Retried after it finished: the same outcome, nothing restored twice.
    expect([again.status, again.body.restored]).toEqual([200, restored.body.restored]);
    await assertNothingLost(api, s, again.body);
  });
});
