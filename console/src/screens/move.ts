/**
 * Move to another organization: choose the pending invitation and a snapshot repository, and start the migration;
 * its page (`migration.ts`) then shows it live. Also the list of the user's migrations.
 */
import { api, ok, type Schemas } from '../api.ts';
import { clear, field, h, nextId, showFieldError, time } from '../dom.ts';
import { describeRoles } from '../roles.ts';
import { navigate } from '../router.ts';
import type { Session } from '../session.ts';
import { busy, errorBox } from '../ui.ts';
import { type Invitation, invitationOpener } from './invitation.ts';
import { statusBadge } from './migration.ts';
import { rememberMove } from './migration-next.ts';

type Repository = Schemas['SnapshotRepository'];

export async function migrationsList(): Promise<HTMLElement> {
  let migrations: Schemas['Migration'][] = [];
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
      rememberMove(m.id, target);
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
