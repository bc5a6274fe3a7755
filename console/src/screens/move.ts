/**
 * Move to another organization: choose the pending invitation and a snapshot repository, start the migration, and
 * watch its steps live from `GET /migrations/{id}`, with the cause and the next action when it fails.
 */
import { ApiError, api, ok } from '../api.ts';
import { clear, field, h, nextId, showFieldError, time } from '../dom.ts';
import { describeRoles } from '../roles.ts';
import { navigate, reload } from '../router.ts';
import type { Session } from '../session.ts';
import { announce, badge, busy, errorBox } from '../ui.ts';
import { type Invitation, invitationOpener } from './invitation.ts';

interface Repository {
  id: string;
  name: string;
  created_at?: string;
}
interface HistoryEntry {
  step: string;
  status: string;
  started_at?: string;
  finished_at?: string;
  error?: string;
}
export interface Migration {
  id: string;
  status: 'running' | 'succeeded' | 'failed' | string;
  current_step: string;
  history: HistoryEntry[];
  source_organization_id: string;
  target_organization_id: string;
  repository_id: string;
  left_at?: string;
  error?: string;
  cause?: string;
  created_at: string;
  updated_at: string;
  finished_at?: string;
}

const STATUS_WORDS: Record<string, [string, 'ok' | 'warn' | 'bad' | 'info']> = {
  running: ['Running', 'info'],
  waiting: ['Waiting', 'warn'],
  succeeded: ['Succeeded', 'ok'],
  failed: ['Failed', 'bad'],
  cancelled: ['Cancelled', 'bad'],
};
const statusBadge = (status: string) => {
  const [words, tone] = STATUS_WORDS[status] ?? [status, 'info' as const];
  return badge(words, tone);
};

export async function migrationsList(): Promise<HTMLElement> {
  let migrations: Migration[] = [];
  try {
    migrations = (await ok(api().GET('/api/v1/migrations'))).migrations;
  } catch {
    // Optional on these screens: the list is a shortcut, the migration's own page says everything.
  }
  if (migrations.length === 0) return h('div', {});
  return h(
    'section',
    { 'aria-labelledby': 'my-migrations' },
    h('h2', { id: 'my-migrations' }, 'Your migrations'),
    h(
      'ul',
      { class: 'plain' },
      migrations.map((m) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/migrations/${encodeURIComponent(m.id)}` },
            `Migration started ${time(m.created_at).textContent}`,
          ),
          ' ',
          statusBadge(m.status),
        ),
      ),
    ),
  );
}

export async function renderMove(main: HTMLElement, s: Session): Promise<void> {
  const errors = errorBox();
  let chosen: Invitation | undefined;
  const chosenArea = h(
    'div',
    { class: 'chosen-invitation', 'aria-live': 'polite' },
    h('p', { class: 'hint' }, 'No invitation chosen yet.'),
  );
  const opener = invitationOpener({
    title: '1. The invitation from the other organization',
    intro: `Its administrators must invite ${s.email} first: that is their consent, and it carries your roles there.`,
    chooseLabel: 'Move to this organization',
    onChosen: (inv) => {
      chosen = inv;
      clear(
        chosenArea,
        h(
          'p',
          {},
          h('strong', {}, `Moving to ${inv.organization.name}.`),
          ` Your roles there: ${describeRoles(inv.role_assignments).join(', ')}.`,
        ),
      );
      repoLegend.focus();
    },
  });

  let repos: Repository[] = [];
  try {
    repos = (await ok(api().GET('/api/v1/users/me/snapshot-repositories'))).repositories;
  } catch (e) {
    errors.show(e);
  }
  const group = nextId('repo');
  const newName = field(
    'Name of the new repository',
    h('input', { type: 'text', maxlength: 64, value: `Move from ${s.org?.name ?? 'my organization'}` }),
  );
  const radios = [
    ...repos.map((r, i) => {
      const id = nextId('repo-opt');
      return h(
        'div',
        { class: 'check' },
        h('input', { type: 'radio', name: group, id, value: r.id, checked: i === 0 }),
        h('label', { for: id }, r.name),
      );
    }),
    (() => {
      const id = nextId('repo-opt');
      return h(
        'div',
        { class: 'check' },
        h('input', { type: 'radio', name: group, id, value: '', checked: repos.length === 0 }),
        h('label', { for: id }, 'Create a new repository'),
      );
    })(),
  ];
  const repoLegend = h('legend', { tabindex: '-1' }, '2. Snapshot repository');
  const repoSet = h(
    'fieldset',
    { class: 'card' },
    repoLegend,
    h(
      'p',
      { class: 'hint' },
      'When you are the only member, your deployments and projects are backed up here, then restored in the new organization. The repository is yours: it stays when you leave.',
    ),
    radios,
    newName.wrap,
  );
  const syncNewName = () => {
    newName.wrap.hidden =
      (repoSet.querySelector<HTMLInputElement>(`input[name="${group}"]:checked`)?.value ?? '') !== '';
  };
  repoSet.addEventListener('change', syncNewName);
  syncNewName();

  const start = h('button', { type: 'submit', class: 'primary' }, 'Start the move');
  const form = h(
    'form',
    { 'aria-labelledby': 'start-title' },
    repoSet,
    h('section', { class: 'card' }, h('h2', { id: 'start-title' }, '3. Start'), chosenArea, errors, start),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!chosen) {
      errors.show(new Error('Choose the invitation from the other organization first (step 1).'));
      opener.querySelector<HTMLElement>('input')?.focus();
      return;
    }
    const target = chosen;
    await busy(start, errors, async () => {
      let repositoryId =
        repoSet.querySelector<HTMLInputElement>(`input[name="${group}"]:checked`)?.value ?? '';
      if (!repositoryId) {
        const name = newName.control.value.trim();
        showFieldError(newName, name ? undefined : 'Give the new repository a name.');
        if (!name) return;
        repositoryId = (await ok(api().POST('/api/v1/users/me/snapshot-repositories', { body: { name } })))
          .id;
      }
      const m = await ok(
        api().POST('/api/v1/migrations', {
          body: { target_organization_id: target.organization.id, repository_id: repositoryId },
        }),
      );
      sessionStorage.setItem(`org-console.migration-target.${m.id}`, target.organization.name);
      navigate(`#/migrations/${encodeURIComponent(m.id)}`);
    });
  });

  main.append(
    h('h1', { tabindex: '-1' }, 'Move to another organization'),
    h(
      'p',
      { class: 'lead' },
      `You leave ${s.org?.name ?? 'your organization'} and join the other one. When you are its only member, your deployments and projects come with you.`,
    ),
    opener,
    form,
    await migrationsList(),
  );
}

export async function renderMigration(main: HTMLElement, s: Session, id?: string): Promise<void> {
  const heading = h('h1', { tabindex: '-1' }, 'Migration');
  const summary = h('div', { class: 'migration-summary' });
  const steps = h('section', { 'aria-labelledby': 'steps-title' });
  const next = h('div', { class: 'next-action' });
  const live = h('p', { class: 'visually-hidden', 'aria-live': 'polite' });
  const errors = errorBox();
  main.append(heading, summary, errors, steps, next, live);
  if (!id) {
    errors.show(new Error('No migration given.'));
    return;
  }
  let last: Migration | undefined;
  let targetName: string | undefined;

  const draw = (m: Migration) => {
    clear(
      summary,
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Status'),
        h('dd', { id: 'migration-status' }, statusBadge(m.status)),
        h('dt', {}, 'Current step'),
        h('dd', { id: 'current-step' }, m.current_step),
        h('dt', {}, 'Moving to'),
        h('dd', {}, targetName ?? m.target_organization_id),
        h('dt', {}, 'Started'),
        h('dd', {}, time(m.created_at)),
        m.finished_at ? [h('dt', {}, 'Finished'), h('dd', {}, time(m.finished_at))] : undefined,
      ),
    );
    // The step in progress is the current one, whatever its history entry says (a wait records its start).
    const rows: HistoryEntry[] = [...m.history];
    if (m.status === 'running' && m.current_step) {
      const inProgress: HistoryEntry = {
        step: m.current_step,
        status: m.current_step.startsWith('Wait') ? 'waiting' : 'running',
      };
      const last = rows.at(-1);
      if (last?.step === m.current_step)
        rows[rows.length - 1] = { ...inProgress, started_at: last.started_at };
      else rows.push(inProgress);
    }
    clear(
      steps,
      h('h2', { id: 'steps-title' }, 'Steps'),
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
          rows.map((r) =>
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
      ),
    );
    drawNext(m);
  };

  const actionErrors = errorBox();
  const drawNext = (m: Migration) => {
    const parts: (Node | undefined)[] = [];
    if (m.status === 'succeeded') {
      const open = h('button', { type: 'button', class: 'primary' }, 'Open your organization');
      open.addEventListener('click', () => void reload('#/members'));
      parts.push(
        h('h2', {}, 'Done'),
        h('p', {}, `You are now a member of ${targetName ?? 'the new organization'}.`),
        open,
      );
    } else if (m.status === 'running') {
      if (m.current_step.startsWith('Wait'))
        parts.push(
          h('h2', {}, 'Next: accept the invitation'),
          h(
            'p',
            {},
            'The other organization has emailed you its invitation again. Open the link in the email, or paste it here, and accept it: the move then continues by itself.',
          ),
          invitationOpener({
            title: 'Accept the invitation',
            onAccepted: () => announce('Invitation accepted. The move continues.'),
          }),
        );
      const cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel the move');
      cancel.addEventListener('click', () =>
        busy(cancel, actionErrors, async () => {
          await ok(
            api().POST('/api/v1/migrations/{migration_id}/_cancel', {
              params: { path: { migration_id: m.id } },
            }),
          );
          announce('Cancelling the move.');
          await poll();
        }),
      );
      parts.push(h('div', { class: 'actions' }, cancel));
    } else {
      parts.push(
        h('h2', {}, 'What happened'),
        h('p', { class: 'cause', id: 'migration-cause' }, m.cause ?? m.error ?? 'The migration failed.'),
      );
      if (m.error) parts.push(h('p', { class: 'hint' }, `Reason code: ${m.error}`));
      if (m.left_at) {
        const restore = h(
          'button',
          { type: 'button', class: 'primary' },
          'Restore into the new organization',
        );
        restore.addEventListener('click', () =>
          busy(restore, actionErrors, async () => {
            await ok(
              api().POST('/api/v1/migrations/{migration_id}/_restore', {
                params: { path: { migration_id: m.id } },
              }),
            );
            announce('Restore finished.');
            await poll();
          }),
        );
        parts.push(
          h('h3', {}, 'Next'),
          h(
            'p',
            {},
            'Your deployments and projects are kept as snapshots in your repository. Accept an invitation to the other organization (ask for a new one if it expired), then restore.',
          ),
          invitationOpener({
            title: 'Accept the invitation',
            onAccepted: () => announce('Invitation accepted. Now restore.'),
          }),
          h('div', { class: 'actions' }, restore),
        );
      } else {
        parts.push(
          h('p', {}, 'Nothing changed: you are still where you started. You can start again.'),
          h('a', { href: '#/move' }, 'Start a new move'),
        );
      }
    }
    clear(next, ...parts, actionErrors);
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async (): Promise<void> => {
    clearTimeout(timer);
    if (!main.isConnected) return;
    try {
      const m = await ok(
        api().GET('/api/v1/migrations/{migration_id}', { params: { path: { migration_id: id } } }),
      );
      // Not a member of the target until the end: its name comes from the invitation chosen when starting.
      targetName ??= sessionStorage.getItem(`org-console.migration-target.${m.id}`) ?? undefined;
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
        last.history.length !== m.history.length;
      // Redraw only on change, so a keyboard user's focus in the next-action area is not lost every second.
      if (changed) {
        draw(m);
        live.textContent = m.status === 'running' ? `Step: ${m.current_step}` : `Migration ${m.status}.`;
      }
      const finishedNow = last?.status === 'running' && m.status !== 'running';
      last = m;
      errors.reset();
      // Now in another organization (or back where they were): the header and tabs must say so.
      if (finishedNow) await reload();
      if (m.status === 'running') timer = setTimeout(() => void poll(), 1000);
    } catch (e) {
      errors.show(e);
      if (!(e instanceof ApiError) || e.status >= 500 || e.status === 0)
        timer = setTimeout(() => void poll(), 3000);
    }
  };
  heading.textContent = 'Moving to another organization';
  await poll();
  void s;
}
