/**
 * A migration's progress as the console shows it: every step of the workflow, in order, each `waiting`, `running`,
 * `succeeded`, `failed` or `skipped`, derived from what the tasks record (the current step and when it started, and
 * a history entry when a step ends). Map states (backup, restore) record only their failures, and the acceptance wait
 * ends when the user accepts, not when its task returns: Step Functions moves on only after a step succeeded, so any
 * step before the furthest one reached has succeeded.
 */
import type { MigrationHistoryEntry, MigrationItem } from '../shared/domain.ts';

export const STEP_STATUSES = ['waiting', 'running', 'succeeded', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The steps, named as the state machine's states (`backup`: runs only when there is something to bring). */
export const MIGRATION_STEPS = [
  { name: 'Validate migration' },
  { name: 'Back up deployments', backup: true },
  { name: 'Verify backups', backup: true },
  { name: 'Delete source deployments', backup: true },
  { name: 'Leave source organization' },
  { name: 'Re-invite to target organization' },
  { name: 'Wait for invitation acceptance', wait: true },
  { name: 'Restore deployments', backup: true },
  { name: 'Record outcome' },
  { name: 'Notify user' },
] as const satisfies readonly { name: string; backup?: boolean; wait?: boolean }[];

export type StepName = (typeof MIGRATION_STEPS)[number]['name'];

/** What `_restore` records when it restores again after a failure. */
export const RESTORE_RERUN = 'Restore deployments (re-run)';

export interface StepView {
  step: string;
  status: StepStatus;
  started_at?: string;
  finished_at?: string;
  error?: string;
}

const FORWARD = MIGRATION_STEPS.slice(0, 8);
const KNOWN = new Set<string>(MIGRATION_STEPS.map((s) => s.name));

const fromEntry = (e: MigrationHistoryEntry | undefined) =>
  e
    ? {
        started_at: e.started_at,
        finished_at: e.finished_at,
        ...(e.status === 'failed' && e.error ? { error: e.error } : {}),
      }
    : {};

export function stepsView(m: MigrationItem): StepView[] {
  const last = (name: string) => m.history.findLast((e) => e.step === name);
  const finished = m.status !== 'running';
  // A re-run restore turns a failed migration into a succeeded one; the original run still stopped where it did.
  const stopped = m.status === 'failed' || m.history.some((e) => e.step === RESTORE_RERUN);
  let reached = -1;
  FORWARD.forEach((s, i) => {
    if (m.current_step === s.name || last(s.name)) reached = i;
  });
  const view: StepView[] = FORWARD.map((s, i): StepView => {
    const entry = last(s.name);
    if ('backup' in s && m.plan && !m.plan.backup) return { step: s.name, status: 'skipped' };
    if (i < reached) {
      return {
        step: s.name,
        status: 'succeeded',
        ...(entry?.status === 'succeeded' ? fromEntry(entry) : {}),
      };
    }
    if (i > reached) return { step: s.name, status: finished ? 'skipped' : 'waiting' };
    const started = m.current_step === s.name && m.step_started_at ? { started_at: m.step_started_at } : {};
    if (!finished) {
      if (entry?.status === 'succeeded' && !('wait' in s))
        return { step: s.name, status: 'succeeded', ...fromEntry(entry) };
      return { step: s.name, status: 'wait' in s ? 'waiting' : 'running', ...started };
    }
    if (!stopped || entry?.status === 'succeeded') {
      return { step: s.name, status: 'succeeded', ...started, ...fromEntry(entry) };
    }
    return {
      step: s.name,
      status: 'failed',
      ...started,
      ...fromEntry(entry),
      ...(entry?.error ? {} : m.error ? { error: m.error } : {}),
    };
  });
  view.push(
    finished
      ? {
          step: 'Record outcome',
          status: 'succeeded',
          ...(m.finished_at ? { finished_at: m.finished_at } : {}),
        }
      : { step: 'Record outcome', status: 'waiting' },
  );
  const notify = last('Notify user');
  view.push(
    notify
      ? { step: 'Notify user', status: notify.status, ...fromEntry(notify) }
      : { step: 'Notify user', status: finished ? 'running' : 'waiting' },
  );
  // Compensations and re-run restores, when they ran, after the main path.
  const extra = [...new Set(m.history.map((e) => e.step).filter((name) => !KNOWN.has(name)))];
  for (const name of extra) {
    const e = last(name)!;
    view.push({ step: name, status: e.status, ...fromEntry(e) });
  }
  return view;
}
