/** A signed-in person without an organization: accept an invitation waiting for them, create one, or open a link. */
import { api, ok } from '../api.ts';
import { field, h } from '../dom.ts';
import { reload } from '../router.ts';
import type { Session } from '../session.ts';
import { busy, errorBox } from '../ui.ts';
import { invitationOpener } from './invitation.ts';
import { migrationsList } from './move.ts';
import { invitationsForMe } from './my-invitations.ts';

export async function renderWelcome(main: HTMLElement, s: Session): Promise<void> {
  const name = field(
    'Organization name',
    h('input', { type: 'text', required: true, maxlength: 100, autocomplete: 'organization' }),
  );
  const errors = errorBox();
  const create = h('button', { type: 'submit', class: 'primary' }, 'Create organization');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'create-title' },
    h('h2', { id: 'create-title' }, 'Create an organization'),
    h('p', {}, 'You become its owner (organization admin) and can invite others.'),
    name.wrap,
    errors,
    create,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    await busy(create, errors, async () => {
      await ok(api().POST('/api/v1/organizations', { body: { name: name.control.value.trim() } }));
      await reload('#/members');
    });
  });
  main.append(
    h('h1', { tabindex: '-1' }, `Welcome, ${s.name ?? s.email}`),
    h('p', { class: 'lead' }, 'You are not a member of an organization yet.'),
    await invitationsForMe(s.email, () => reload('#/members')),
    h('div', { class: 'grid' }, form, invitationOpener({ onAccepted: () => reload('#/members') })),
    await migrationsList(),
  );
}
