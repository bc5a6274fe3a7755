/** The steps `GET /migrations/{id}` lists, from what the tasks record (the cases the workflow tests cannot stage). */
import { describe, expect, it } from 'vitest';
import { stepsView } from '../../functions/migrations/progress.ts';
import type { MigrationHistoryEntry, MigrationItem } from '../../functions/shared/domain.ts';

const t = '2026-01-01T00:00:00.000Z';
const ok = (step: string, item?: string): MigrationHistoryEntry => ({
  step,
  status: 'succeeded',
  started_at: t,
  finished_at: t,
  ...(item ? { item } : {}),
});
const upToWait: MigrationHistoryEntry[] = [
  ok('Validate migration'),
  ok('Back up deployments', 'deployment:d1'),
  ok('Verify backups'),
  ok('Delete source deployments'),
  ok('Leave source organization'),
  ok('Re-invite to target organization'),
  { step: 'Wait for invitation acceptance', status: 'waiting', started_at: t, finished_at: t },
];
const migration = (over: Partial<MigrationItem>): MigrationItem => ({
  entity: 'Migration',
  id: 'm1',
  user_id: 'u1',
  email: 'a@example.com',
  source_organization_id: 's',
  target_organization_id: 'g',
  repository_id: 'r',
  status: 'running',
  current_step: 'Wait for invitation acceptance',
  step_started_at: t,
  history: upToWait,
  plan: { sole_member: true, backup: true, resources: [{ kind: 'deployment', id: 'd1' }] },
  created_at: t,
  updated_at: t,
  ...over,
});
const statuses = (m: MigrationItem) => Object.fromEntries(stepsView(m).map((s) => [s.step, s.status]));

describe('migration steps view', () => {
  it('a wait still waiting is waiting, and what follows has not started', () => {
    expect(statuses(migration({}))).toMatchObject({
      'Re-invite to target organization': 'succeeded',
      'Wait for invitation acceptance': 'waiting',
      'Restore deployments': 'waiting',
      'Record outcome': 'waiting',
      'Notify user': 'waiting',
    });
  });

  it('a restore whose tasks failed before running is the failed step, not the wait', () => {
    const m = migration({ status: 'failed', error: 'RestorePending', current_step: 'Notify user' });
    expect(statuses(m)).toMatchObject({
      'Wait for invitation acceptance': 'succeeded',
      'Restore deployments': 'failed',
      'Record outcome': 'succeeded',
    });
  });

  it('a cancel during the wait shows the wait cancelled, the restore skipped', () => {
    const m = migration({
      status: 'cancelled',
      error: 'MigrationCancelled',
      current_step: 'Migration cancelled',
    });
    const wait = stepsView(m).find((s) => s.step === 'Wait for invitation acceptance');
    expect(wait).toMatchObject({ status: 'cancelled', error: 'MigrationCancelled' });
    expect(statuses(m)['Restore deployments']).toBe('skipped');
    // Stopped after leaving: its execution never gets to the email.
    expect(statuses({ ...m, left_at: t })['Notify user']).toBe('skipped');
    expect(statuses(m)['Notify user']).toBe('running');
  });

  it('a step retrying after a transient failure is running; a Map is done only when every resource is', () => {
    const retrying = migration({
      current_step: 'Verify backups',
      history: [
        ok('Validate migration'),
        ok('Back up deployments', 'deployment:d1'),
        {
          step: 'Verify backups',
          status: 'failed',
          started_at: t,
          finished_at: t,
          error: 'TransientError: busy',
        },
      ],
    });
    expect(statuses(retrying)['Verify backups']).toBe('running');
    const halfway = migration({
      current_step: 'Back up deployments',
      history: [ok('Validate migration'), ok('Back up deployments', 'deployment:d1')],
      plan: {
        sole_member: true,
        backup: true,
        resources: [
          { kind: 'deployment', id: 'd1' },
          { kind: 'project', id: 'p1' },
        ],
      },
    });
    expect(statuses(halfway)['Back up deployments']).toBe('running');
  });
});
