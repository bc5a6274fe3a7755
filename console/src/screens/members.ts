/**
 * The Organization page's Members tab: members and open invitations, paged with the API's cursor, a search box,
 * Invite members, and each row's actions (Edit role, Remove, Leave organization, Resend, Revoke).
 */
import { api, ok } from '../api.ts';
import { clear, field, h, time } from '../dom.ts';
import {
  describeRoles,
  emptyChosenScopes,
  isOrgAdmin,
  type RoleAssignments,
  roleChanges,
  toChoice,
} from '../roles.ts';
import { reload } from '../router.ts';
import type { Member, Session } from '../session.ts';
import { actionsMenu, announce, badge, busy, confirmAction, errorBox, openDialog } from '../ui.ts';
import { createInvitations, openInviteDialog } from './invite-dialog.ts';
import { loadResources, type Resource } from './resources.ts';
import { roleForm } from './roleform.ts';

interface ListedInvitation {
  token: string;
  email: string;
  created_at: string;
  expires_at: string;
  expired: boolean;
  status: 'pending' | 'expired';
  email_status?: string;
  email_error?: string;
  role_assignments: RoleAssignments;
}
interface MembersPage {
  members: Member[];
  invitations?: ListedInvitation[];
  next?: string;
}

/** How far a search walks (pages of 1,000): the API has no search, so the console reads the list itself. */
const SEARCH_PAGES = 20;

const EMAIL_STATUS: Record<string, [string, 'ok' | 'warn' | 'bad' | 'info']> = {
  sent: ['Sent', 'ok'],
  queued: ['Queued', 'info'],
  unsent: ['Not sent yet', 'warn'],
  failed: ['Failed', 'bad'],
};

export async function renderMembers(main: HTMLElement, s: Session): Promise<void> {
  const org = s.org!;
  const admin = isOrgAdmin(s.me?.role_assignments);
  const state = { size: 25, cursors: [undefined] as (string | undefined)[], page: 0, query: '' };
  let names = new Map<string, string>();
  let resources: { deployments: Resource[]; projects: Resource[] } = { deployments: [], projects: [] };

  const errors = errorBox();
  const search = field(
    'Search members',
    h('input', { type: 'search', autocomplete: 'off', placeholder: 'Name or email' }),
  );
  const sizeSelect = field(
    'Rows per page',
    h(
      'select',
      {},
      [10, 25, 50, 100].map((n) => h('option', { value: n, selected: n === state.size }, String(n))),
    ),
  );
  const inviteButton = admin
    ? h('button', { type: 'button', class: 'primary' }, 'Invite members')
    : undefined;
  const membersArea = h('section', { 'aria-labelledby': 'members-title' });
  const invitationsArea = h('section', { 'aria-labelledby': 'invitations-title' });
  const count = h('p', { class: 'count', role: 'status' });
  main.append(
    h('h1', { tabindex: '-1' }, 'Members'),
    h('p', { class: 'lead' }, `People in ${org.name}, their roles, and the invitations still open.`),
    h('div', { class: 'toolbar' }, search.wrap, sizeSelect.wrap, inviteButton),
    count,
    errors,
    membersArea,
    invitationsArea,
  );

  const loadPage = async (): Promise<MembersPage> => {
    const cursor = state.cursors[state.page];
    const include = admin && state.page === 0 ? ('invitations' as const) : undefined;
    return listMembers(org.id, {
      size: state.size,
      ...(cursor ? { next: cursor } : {}),
      ...(include ? { include } : {}),
    });
  };

  const searchAll = async (q: string): Promise<MembersPage> => {
    const needle = q.toLowerCase();
    const found: Member[] = [];
    let next: string | undefined;
    let invitations: ListedInvitation[] | undefined;
    for (let i = 0; i < SEARCH_PAGES; i++) {
      const page = await listMembers(org.id, {
        size: 1000,
        ...(next ? { next } : {}),
        ...(admin && i === 0 ? { include: 'invitations' as const } : {}),
      });
      invitations ??= page.invitations;
      found.push(...page.members.filter((m) => `${m.name ?? ''} ${m.email}`.toLowerCase().includes(needle)));
      next = page.next;
      if (!next) break;
    }
    return {
      members: found,
      ...(invitations ? { invitations: invitations.filter((i) => i.email.includes(needle)) } : {}),
    };
  };

  let renderSeq = 0;
  const refresh = async () => {
    const seq = ++renderSeq;
    errors.reset();
    let page: MembersPage;
    try {
      page = state.query ? await searchAll(state.query) : await loadPage();
    } catch (e) {
      errors.show(e);
      return;
    }
    if (seq !== renderSeq) return; // a newer search or page replaced this one
    renderMembersTable(page);
    renderInvitations(page.invitations);
    count.textContent = state.query
      ? `${page.members.length} member${page.members.length === 1 ? '' : 's'} and ${page.invitations?.length ?? 0} invitation${page.invitations?.length === 1 ? '' : 's'} match "${state.query}".`
      : '';
    if (!state.query) state.cursors[state.page + 1] = page.next;
  };

  const memberActions = (m: Member) => {
    const mine = m.user_id === s.userId;
    const items: { text: string; danger?: boolean; run: () => void }[] = [];
    if (admin) items.push({ text: 'Edit role', run: () => editRole(m) });
    if (mine)
      items.push({
        text: 'Leave organization',
        danger: true,
        run: () =>
          confirmAction({
            title: `Leave ${org.name}?`,
            text: 'You will lose access to its deployments and projects. To come back you need a new invitation.',
            confirm: 'Leave organization',
            danger: true,
            action: async () => {
              await removeMember(org.id, m.user_id);
              announce(`You left ${org.name}.`);
              await reload('#/welcome');
            },
          }),
      });
    else if (admin)
      items.push({
        text: 'Remove',
        danger: true,
        run: () =>
          confirmAction({
            title: `Remove ${m.name ?? m.email}?`,
            text: `${m.email} will lose access to ${org.name}.`,
            confirm: 'Remove member',
            danger: true,
            action: async () => {
              await removeMember(org.id, m.user_id);
              announce(`${m.email} removed.`);
              await refresh();
            },
          }),
      });
    return items.length ? actionsMenu(`Actions for ${m.email}`, items) : undefined;
  };

  const renderMembersTable = (page: MembersPage) => {
    const pager = h('nav', { class: 'pager', 'aria-label': 'Members pages' });
    if (!state.query) {
      const prev = h('button', { type: 'button', disabled: state.page === 0 }, 'Previous page');
      const next = h('button', { type: 'button', disabled: !page.next }, 'Next page');
      prev.addEventListener('click', () => {
        state.page -= 1;
        void refresh().then(() => membersArea.querySelector<HTMLElement>('h2')?.focus());
      });
      next.addEventListener('click', () => {
        state.cursors[state.page + 1] = page.next;
        state.page += 1;
        void refresh().then(() => membersArea.querySelector<HTMLElement>('h2')?.focus());
      });
      pager.append(prev, h('span', { class: 'page-no' }, `Page ${state.page + 1}`), next);
    }
    clear(
      membersArea,
      h('h2', { id: 'members-title', tabindex: '-1' }, 'Members'),
      page.members.length === 0
        ? h('p', { class: 'empty' }, state.query ? 'No member matches.' : 'No members on this page.')
        : h(
            'table',
            { class: 'data' },
            h('caption', { class: 'visually-hidden' }, `Members of ${org.name}`),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Name'),
                h('th', { scope: 'col' }, 'Email'),
                h('th', { scope: 'col' }, 'Roles'),
                h('th', { scope: 'col' }, 'Member since'),
                h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
              ),
            ),
            h(
              'tbody',
              {},
              page.members.map((m) =>
                h(
                  'tr',
                  { 'data-email': m.email },
                  h(
                    'td',
                    { 'data-label': 'Name' },
                    m.name ?? '—',
                    m.user_id === s.userId ? h('span', { class: 'you' }, ' (you)') : undefined,
                  ),
                  h('td', { 'data-label': 'Email' }, m.email),
                  h(
                    'td',
                    { 'data-label': 'Roles', class: 'roles' },
                    describeRoles(m.role_assignments, names).join(', '),
                  ),
                  h('td', { 'data-label': 'Member since' }, m.member_since ? time(m.member_since) : ''),
                  h('td', { class: 'row-actions' }, memberActions(m)),
                ),
              ),
            ),
          ),
      pager,
    );
  };

  const renderInvitations = (invitations: ListedInvitation[] | undefined) => {
    if (!admin || invitations === undefined) {
      clear(invitationsArea);
      return;
    }
    clear(
      invitationsArea,
      h('h2', { id: 'invitations-title' }, 'Open invitations'),
      invitations.length === 0
        ? h('p', { class: 'empty' }, 'No open invitations.')
        : h(
            'table',
            { class: 'data' },
            h('caption', { class: 'visually-hidden' }, 'Open invitations'),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Email'),
                h('th', { scope: 'col' }, 'Roles'),
                h('th', { scope: 'col' }, 'Status'),
                h('th', { scope: 'col' }, 'Expires'),
                h('th', { scope: 'col' }, 'Email delivery'),
                h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
              ),
            ),
            h(
              'tbody',
              {},
              invitations.map((inv) => {
                const [words, tone] = EMAIL_STATUS[inv.email_status ?? ''] ?? [
                  inv.email_status ?? 'Unknown',
                  'info' as const,
                ];
                return h(
                  'tr',
                  { 'data-email': inv.email },
                  h('td', { 'data-label': 'Email' }, inv.email),
                  h(
                    'td',
                    { 'data-label': 'Roles', class: 'roles' },
                    describeRoles(inv.role_assignments, names).join(', '),
                  ),
                  h(
                    'td',
                    { 'data-label': 'Status' },
                    inv.expired ? badge('Expired', 'bad') : badge('Pending', 'warn'),
                  ),
                  h('td', { 'data-label': 'Expires' }, time(inv.expires_at)),
                  h(
                    'td',
                    { 'data-label': 'Email delivery' },
                    badge(words, tone),
                    inv.email_error ? h('span', { class: 'hint' }, ` ${inv.email_error}`) : undefined,
                  ),
                  h(
                    'td',
                    { class: 'row-actions' },
                    actionsMenu(`Actions for the invitation to ${inv.email}`, [
                      { text: 'Resend', run: () => void resend(inv) },
                      {
                        text: 'Revoke',
                        danger: true,
                        run: () =>
                          confirmAction({
                            title: `Revoke the invitation to ${inv.email}?`,
                            text: 'The link in the email will stop working.',
                            confirm: 'Revoke invitation',
                            danger: true,
                            action: async () => {
                              await ok(
                                api().DELETE(
                                  '/api/v1/organizations/{organization_id}/invitations/{invitation_tokens}',
                                  {
                                    params: {
                                      path: { organization_id: org.id, invitation_tokens: inv.token },
                                    },
                                  },
                                ),
                              );
                              announce(`Invitation to ${inv.email} revoked.`);
                              await refresh();
                            },
                          }),
                      },
                    ]),
                  ),
                );
              }),
            ),
          ),
    );
  };

  const resend = async (inv: ListedInvitation) => {
    try {
      // The same roles again: an expired invitation is replaced by a new one, which would otherwise have none.
      await createInvitations(org.id, { emails: [inv.email], role_assignments: inv.role_assignments });
      announce(`Invitation to ${inv.email} sent again.`);
      await refresh();
    } catch (e) {
      errors.show(e);
    }
  };

  const editRole = (m: Member) => {
    openDialog(
      `Edit role: ${m.name ?? m.email}`,
      (d) => {
        const form = roleForm(toChoice(m.role_assignments), resources);
        const formErrors = errorBox();
        const save = h('button', { type: 'submit', class: 'primary' }, 'Save roles');
        const el = h(
          'form',
          {},
          h('p', {}, `Roles of ${m.email} in ${org.name}.`),
          form.element,
          formErrors,
          h(
            'div',
            { class: 'actions' },
            save,
            h('button', { type: 'button', onclick: () => d.close() }, 'Cancel'),
          ),
        );
        el.addEventListener('submit', async (e) => {
          e.preventDefault();
          const wanted = form.value();
          const empty = emptyChosenScopes(wanted);
          if (empty.length) {
            formErrors.show(new Error(`Choose at least one resource for: ${empty.join(', ')}.`));
            return;
          }
          let done = false;
          await busy(save, formErrors, async () => {
            for (const step of roleChanges(org.id, m.role_assignments, wanted))
              await changeRoles(step.method, m.user_id, step.body);
            done = true;
          });
          if (done || formErrors.hidden === false) {
            // Something may have changed even when a later step was refused: show what is true now.
            if (m.user_id === s.userId) await reload();
            else await refresh();
          }
          if (done) {
            announce(`Roles of ${m.email} saved.`);
            d.close();
          }
        });
        return [el];
      },
      { wide: true },
    );
  };

  inviteButton?.addEventListener('click', () => openInviteDialog(org, resources, refresh));
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.control.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.query = search.control.value.trim();
      state.page = 0;
      state.cursors = [undefined];
      void refresh();
    }, 250);
  });
  sizeSelect.control.addEventListener('change', () => {
    state.size = Number(sizeSelect.control.value);
    state.page = 0;
    state.cursors = [undefined];
    void refresh();
  });

  try {
    resources = await loadResources(org.id);
    names = new Map([...resources.deployments, ...resources.projects].map((r) => [r.id, r.name]));
  } catch (e) {
    errors.show(e);
  }
  await refresh();
}

type Query = { size: number; next?: string; include?: 'invitations' };
/** One page of members (and, with `include`, the open invitations), in the console's own shapes. */
const listMembers = async (orgId: string, query: Query): Promise<MembersPage> => {
  const page = await ok(
    api().GET('/api/v1/organizations/{organization_id}/members', {
      params: { path: { organization_id: orgId }, query },
    }),
  );
  // The reference leaves a member's address and roles optional; this service always answers both.
  const members = page.members.map((m) => ({
    ...m,
    email: m.email ?? '',
    role_assignments: m.role_assignments ?? {},
  }));
  return { ...page, members } as MembersPage;
};

const removeMember = (orgId: string, userId: string) =>
  ok(
    api().DELETE('/api/v1/organizations/{organization_id}/members/{user_ids}', {
      params: { path: { organization_id: orgId, user_ids: userId } },
    }),
  );

const changeRoles = (method: 'POST' | 'DELETE', userId: string, body: RoleAssignments) => {
  const init = { params: { path: { user_id: userId } }, body };
  const path = '/api/v1/users/{user_id}/role_assignments';
  return ok(method === 'POST' ? api().POST(path, init) : api().DELETE(path, init));
};
