/**
 * A migration's progress as the console shows it: every step of the workflow, in order, each `waiting`, `running`,
 * `succeeded`, `failed`, `cancelled` (the step a cancel stopped) or `skipped`, derived from what the tasks record (the current step and when it started, and
 * a history entry when a step ends). Map states (backup, restore) record only their failures, and the acceptance wait
 * ends when the user accepts, not when its task returns: Step Functions moves on only after a step succeeded, so any
 * step before the furthest one reached has succeeded.
 */
import type { MigrationHistoryEntry, MigrationItem } from '../shared/domain.ts';

export const STEP_STATUSES = ['waiting', 'running', 'succeeded', 'failed', 'cancelled', 'skipped'] as const;
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

/** The state an execution ends in, by how the migration ended: its current step from then on. */
export const END_STATE = {
  succeeded: 'Migration succeeded',
  failed: 'Migration failed',
  cancelled: 'Migration cancelled',
} as const satisfies Record<Exclude<MigrationItem['status'], 'running'>, string>;

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
type Forward = (typeof FORWARD)[number];

const times = (entries: MigrationHistoryEntry[]) => {
  if (!entries.length) return {};
  const started = entries.map((e) => e.started_at).sort()[0]!;
  const finished = entries
    .map((e) => e.finished_at)
    .sort()
    .at(-1)!;
  return { started_at: started, finished_at: finished };
};

const pick = (startedAt: string | undefined) => (startedAt ? { started_at: startedAt } : {});

/**
 * A task that fails before its handler runs (a Lambda fault) records nothing, so a failed step is found as the step
 * after the last one that completed: the furthest step reached, if it failed, else the next one that would run.
 */
export function stepsView(m: MigrationItem): StepView[] {
  const entriesOf = (name: string) => m.history.filter((e) => e.step === name);
  const last = (name: string) => m.history.findLast((e) => e.step === name);
  const finished = m.status !== 'running';
  // A re-run restore turns a failed migration into a succeeded one; the original run still stopped where it did.
  // A cancelled one stopped too: the step it interrupted shows `cancelled`, with the error `MigrationCancelled`.
  const stopped =
    m.status === 'failed' || m.status === 'cancelled' || m.history.some((e) => e.step === RESTORE_RERUN);
  const skipped = (s: Forward) => 'backup' in s && m.plan !== undefined && !m.plan.backup;
  const planned = (m.plan?.resources ?? []).map((r) => `${r.kind}:${r.id}`);
  /** Did this step finish well (as far as the records tell)? */
  const complete = (s: Forward): boolean => {
    if (s.name === 'Back up deployments' || s.name === 'Restore deployments') {
      const ok = new Set(
        entriesOf(s.name).flatMap((e) => (e.status === 'succeeded' && e.item ? [e.item] : [])),
      );
      return planned.every((k) => ok.has(k));
    }
    // The wait ends on acceptance, which it does not record: it failed only by its own error or by expiring.
    if ('wait' in s) {
      return (
        last(s.name)?.status !== 'failed' &&
        m.error !== 'InvitationExpired' &&
        m.error !== 'MigrationCancelled'
      );
    }
    return last(s.name)?.status === 'succeeded';
  };
  let reached = -1;
  FORWARD.forEach((s, i) => {
    if (m.current_step === s.name || last(s.name)) reached = i;
  });
  // A migration that succeeded on its own went through every step it planned.
  if (finished && !stopped) reached = FORWARD.length - 1;
  let failedAt = -1;
  if (stopped) {
    const r = FORWARD[reached];
    failedAt = r && !complete(r) ? reached : FORWARD.findIndex((s, i) => i > reached && !skipped(s));
  }
  const view: StepView[] = FORWARD.map((s, i): StepView => {
    const step = s.name;
    const entries = entriesOf(step);
    const failure = entries.findLast((e) => e.status === 'failed');
    if (skipped(s)) return { step, status: 'skipped' };
    if (stopped && i === failedAt) {
      return {
        step,
        status: m.status === 'cancelled' ? 'cancelled' : 'failed',
        ...times(entries),
        ...(failure?.error ? { error: failure.error } : m.error ? { error: m.error } : {}),
      };
    }
    if (stopped && failedAt >= 0 && i > failedAt) return { step, status: 'skipped' };
    if (i < reached || (i === reached && (finished || (complete(s) && !('wait' in s))))) {
      // The wait's end (acceptance) is not recorded: only when it began.
      if ('wait' in s) return { step, status: 'succeeded', ...pick(entries[0]?.started_at) };
      return { step, status: 'succeeded', ...times(entries.filter((e) => e.status === 'succeeded')) };
    }
    if (i > reached) return { step, status: finished ? 'skipped' : 'waiting' };
    const started = m.current_step === step ? pick(m.step_started_at) : pick(entries[0]?.started_at);
    return { step, status: 'wait' in s ? 'waiting' : 'running', ...started };
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
      ? {
          step: 'Notify user',
          status: notify.status,
          started_at: notify.started_at,
          finished_at: notify.finished_at,
          ...(notify.status === 'failed' && notify.error ? { error: notify.error } : {}),
        }
      : {
          step: 'Notify user',
          // A cancel after leaving stops the execution: nothing is left to notify.
          status: !finished ? 'waiting' : m.status === 'cancelled' && m.left_at ? 'skipped' : 'running',
        },
  );
  // Compensations and re-run restores, when they ran, after the main path.
  for (const name of new Set(m.history.map((e) => e.step).filter((n) => !KNOWN.has(n)))) {
    const e = last(name)!;
    view.push({
      step: name,
      status: e.status,
      started_at: e.started_at,
      finished_at: e.finished_at,
      ...(e.status === 'failed' && e.error ? { error: e.error } : {}),
    });
  }
  return view;
}
