/**
 * A migration, live: its status and every step as `GET /migrations/{id}` lists them (each step once, with its state
 * and times), read again every second while it runs, and what to do next (`migration-next.ts`). The header follows
 * the move: once the user has left the source organization, and when the move ends, who they are is read again.
 */
import { ApiError, api, ok, type Schemas } from '../api.ts';
import { clear, h, time } from '../dom.ts';
import { reload } from '../router.ts';
import type { Session } from '../session.ts';
import { badge, errorBox } from '../ui.ts';
import { learnInvitation, nextActions, rememberedTarget } from './migration-next.ts';

type Migration = Schemas['Migration'];
type Step = Schemas['MigrationStep'];

const STATUS_WORDS: Record<Migration['status'] | Step['status'], [string, 'ok' | 'warn' | 'bad' | 'info']> = {
  running: ['Running', 'info'],
  waiting: ['Waiting', 'warn'],
  succeeded: ['Succeeded', 'ok'],
  failed: ['Failed', 'bad'],
  // The user's choice, not a failure.
  cancelled: ['Cancelled', 'info'],
  skipped: ['Skipped', 'info'],
};

export const statusBadge = (status: Migration['status'] | Step['status']) => {
  const [words, tone] = STATUS_WORDS[status] ?? [status, 'info' as const];
  return badge(words, tone);
};

const stepsTable = (steps: Step[]) =>
  h(
    'table',
    { class: 'data steps' },
    h('caption', { class: 'visually-hidden' }, 'Steps of the migration'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Step'),
        h('th', { scope: 'col' }, 'State'),
        h('th', { scope: 'col' }, 'Started'),
        h('th', { scope: 'col' }, 'Finished'),
      ),
    ),
    h(
      'tbody',
      {},
      steps.map((r) =>
        h(
          'tr',
          { 'data-step': r.step },
          h(
            'td',
            { 'data-label': 'Step' },
            r.step,
            r.error ? h('div', { class: 'hint' }, r.error) : undefined,
          ),
          h('td', { 'data-label': 'State' }, statusBadge(r.status)),
          h('td', { 'data-label': 'Started' }, r.started_at ? time(r.started_at) : '—'),
          h('td', { 'data-label': 'Finished' }, r.finished_at ? time(r.finished_at) : '—'),
        ),
      ),
    ),
  );

/**
 * Does the header still show an organization the user is no longer in? After leaving the source, or once the move
 * succeeded (now in the target), or ended some other way after leaving.
 */
const sessionBehind = (s: Session, m: Migration) =>
  (m.left_at !== undefined && s.org?.id === m.source_organization_id) ||
  (m.status === 'succeeded' && s.org?.id !== m.target_organization_id);

/** Migrations whose session was read again, and on what change: once each, whatever the session then says. */
const reloaded = new Set<string>();

export async function renderMigration(main: HTMLElement, s: Session, id?: string): Promise<void> {
  const heading = h('h1', { tabindex: '-1' }, 'Moving to another organization');
  const summary = h('div', { class: 'migration-summary' });
  const steps = h('section', { 'aria-labelledby': 'steps-title' });
  const next = h('div', { class: 'next-action' });
  const live = h('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const errors = errorBox();
  const actionErrors = errorBox();
  main.append(heading, summary, errors, steps, next, live);
  if (!id) {
    heading.textContent = 'Migration';
    errors.show(new Error('No migration given.'));
    return;
  }
  let last: Migration | undefined;
  let targetName: string | undefined;

  const draw = (m: Migration) => {
    const running = m.status === 'running';
    clear(
      summary,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Status'),
        h('dd', { id: 'migration-status' }, statusBadge(m.status)),
        // Once it ended, the status says where it is: no "current step" of a move that is over.
        running ? [h('dt', {}, 'Current step'), h('dd', { id: 'current-step' }, m.current_step)] : undefined,
        h('dt', {}, 'Moving to'),
        h('dd', {}, targetName ?? m.target_organization_id),
        h('dt', {}, 'Started'),
        h('dd', {}, time(m.created_at)),
        m.finished_at ? [h('dt', {}, 'Finished'), h('dd', {}, time(m.finished_at))] : undefined,
      ),
    );
    clear(steps, h('h2', { id: 'steps-title' }, 'Steps'), stepsTable(m.history));
    clear(next, ...nextActions(m, { targetName, errors: actionErrors, refresh: poll }), actionErrors);
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async (): Promise<void> => {
    clearTimeout(timer);
    if (!main.isConnected) return;
    try {
      const m = await ok(
        api().GET('/api/v1/migrations/{migration_id}', { params: { path: { migration_id: id } } }),
      );
      // Not a member of the target until the end: its name comes from the invitation (chosen when starting, or found).
      await learnInvitation(m);
      targetName ??= rememberedTarget(m.id);
      if (!targetName && m.status === 'succeeded') {
        targetName = await ok(
          api().GET('/api/v1/organizations/{organization_id}', {
            params: { path: { organization_id: m.target_organization_id } },
          }),
        )
          .then((o) => o.name)
          .catch(() => undefined);
      }
      const changed =
        !last ||
        last.status !== m.status ||
        last.current_step !== m.current_step ||
        JSON.stringify(last.history) !== JSON.stringify(m.history);
      // Redraw only on change, so a keyboard user's focus in the next-action area is not lost every second.
      if (changed) {
        draw(m);
        live.textContent = m.status === 'running' ? `Step: ${m.current_step}` : `Migration ${m.status}.`;
      }
      const finishedNow = last?.status === 'running' && m.status !== 'running';
      last = m;
      errors.reset();
      // Left the source, or in another organization (or back where they were): the header and tabs must say so.
      const why = `${m.id}:${m.left_at ? 'left' : ''}:${m.status}`;
      if ((finishedNow || sessionBehind(s, m)) && !reloaded.has(why)) {
        reloaded.add(why);
        await reload(); // draws this screen again, with the new header; this one stops polling
        return;
      }
      if (m.status === 'running') timer = setTimeout(() => void poll(), 1000);
    } catch (e) {
      errors.show(e);
      if (!(e instanceof ApiError) || e.status >= 500 || e.status === 0)
        timer = setTimeout(() => void poll(), 3000);
    }
  };
  await poll();
}
