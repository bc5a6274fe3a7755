/**
 * The organization's settings: its name (owners rename it), its id to copy for the API and support, and what closing
 * it takes, checked against what the organization holds now, with leaving (which closes it) once nothing stands in the
 * way.
 */
import { ApiError, api, ok } from '../api.ts';
import { field, h } from '../dom.ts';
import { isOrgAdmin } from '../roles.ts';
import { reload } from '../router.ts';
import type { Session } from '../session.ts';
import { announce, busy, confirmAction, copyRow, errorBox } from '../ui.ts';
import { loadResources } from './resources.ts';

export async function renderSettings(main: HTMLElement, s: Session): Promise<void> {
  const org = s.org!;
  main.append(
    h('h1', { tabindex: '-1' }, 'Organization settings'),
    h('p', { class: 'lead' }, `The name, the id and the closing of ${org.name}.`),
    nameCard(s),
    idCard(org.id),
    await closingCard(s),
  );
}

function nameCard(s: Session): HTMLElement {
  const org = s.org!;
  if (!isOrgAdmin(s.me?.role_assignments))
    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'settings-name' },
      h('h2', { id: 'settings-name' }, 'Name'),
      h('p', {}, org.name),
      h('p', { class: 'hint' }, 'Only organization owners can rename it.'),
    );
  const name = field(
    'Organization name',
    h('input', {
      type: 'text',
      required: true,
      maxlength: 100,
      value: org.name,
      autocomplete: 'organization',
    }),
  );
  const errors = errorBox();
  const save = h('button', { type: 'submit', class: 'primary' }, 'Rename');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'settings-name' },
    h('h2', { id: 'settings-name' }, 'Name'),
    name.wrap,
    errors,
    save,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const wanted = name.control.value.trim();
    let done = false;
    await busy(save, errors, async () => {
      await ok(
        api().PUT('/api/v1/organizations/{organization_id}', {
          params: { path: { organization_id: org.id } },
          body: { name: wanted },
        }),
      );
      done = true;
    });
    if (done) {
      await reload();
      announce(`Renamed to ${wanted}.`);
    }
  });
  return form;
}

function idCard(orgId: string): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'settings-id' },
    h('h2', { id: 'settings-id' }, 'Organization id'),
    h('p', {}, 'For the API (', h('code', {}, '/api/v1/organizations/<id>'), ') and for support.'),
    copyRow(orgId, { label: 'Copy id', id: 'organization-id' }),
  );
}

interface Requirement {
  met: boolean;
  text: string;
  href?: string;
  link?: string;
}

/** What closing needs, each line checked against the organization now (an item the caller cannot read is unknown). */
async function closingCard(s: Session): Promise<HTMLElement> {
  const org = s.org!;
  const errors = errorBox();
  const path = { params: { path: { organization_id: org.id } } };
  const [members, resources, bills] = await Promise.all([
    ok(
      api().GET('/api/v1/organizations/{organization_id}/members', {
        ...path,
        params: { ...path.params, query: { size: 2 } },
      }),
    ),
    loadResources(org.id),
    ok(api().GET('/api/v1/organizations/{organization_id}/bills', path)).catch((e: unknown) => {
      if (e instanceof ApiError && e.status === 403) return undefined; // only owners and billing admins see bills
      throw e;
    }),
  ]);
  const others = members.members.filter((m) => m.user_id !== s.userId).length > 0 || Boolean(members.next);
  // Only owners see every deployment and project: for anyone else an empty list proves nothing.
  const seesAll = isOrgAdmin(s.me?.role_assignments);
  const held = resources.deployments.length + resources.projects.length;
  const pending = bills?.bills.filter((b) => b.status === 'pending').length;
  const needs: Requirement[] = [
    {
      met: !others,
      text: others
        ? 'Other people are members: remove them first, or they leave.'
        : 'You are its only member.',
      ...(others ? { href: '#/members', link: 'Members' } : {}),
    },
    !seesAll
      ? { met: false, text: 'It must hold no deployments or projects: an owner can see them all.' }
      : {
          met: held === 0,
          text: held
            ? `It holds ${held} deployment${held === 1 ? '' : 's'} or project${held === 1 ? '' : 's'}: delete them, or take them with you to another organization.`
            : 'It holds no deployments or projects.',
          ...(held ? { href: '#/move', link: 'Move to another organization' } : {}),
        },
    pending === undefined
      ? { met: false, text: 'Pending bills must be settled: an owner or billing admin can see them.' }
      : {
          met: pending === 0,
          text: pending
            ? `${pending} bill${pending === 1 ? ' is' : 's are'} pending: settle them first.`
            : 'No bills are pending.',
        },
  ];
  const list = h(
    'ul',
    { class: 'checklist' },
    needs.map((n) =>
      h(
        'li',
        { class: n.met ? 'met' : 'unmet' },
        h('span', { class: 'visually-hidden' }, n.met ? 'Done: ' : 'To do: '),
        n.text,
        n.href ? [' ', h('a', { href: n.href }, n.link ?? '')] : undefined,
      ),
    ),
  );
  const card = h(
    'section',
    { class: 'card', 'aria-labelledby': 'settings-close' },
    h('h2', { id: 'settings-close' }, 'Closing the organization'),
    h('p', {}, 'An organization closes when its last member leaves. That needs:'),
    list,
    errors,
  );
  if (needs.every((n) => n.met)) {
    const close = h('button', { type: 'button', class: 'danger' }, 'Leave and close the organization');
    close.addEventListener('click', () =>
      confirmAction({
        title: `Close ${org.name}?`,
        text: 'You leave it and it is closed for good: nobody can be invited to it or join it again.',
        confirm: 'Leave and close',
        danger: true,
        action: async () => {
          await ok(
            api().DELETE('/api/v1/organizations/{organization_id}/members/{user_ids}', {
              params: { path: { organization_id: org.id, user_ids: 'me' } },
            }),
          );
          announce(`${org.name} is closed.`);
          await reload('#/welcome');
        },
      }),
    );
    card.append(h('div', { class: 'actions' }, close));
  }
  return card;
}
