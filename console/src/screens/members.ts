/**
 * The Organization page's Members tab: the members as the service sorts, searches and counts them (one page at a
 * time, its cursor), the open invitations, Invite members, and each row's actions (Edit role, Remove, Leave
 * organization, Resend, Revoke). The table is in member-table.ts, the invitations in invitations-table.ts, the
 * dialogs in member-dialogs.ts and invite-dialog.ts and the calls in member-api.ts.
 */
import { field, h } from '../dom.ts';
import { isOrgAdmin } from '../roles.ts';
import { reload } from '../router.ts';
import type { Member, Session } from '../session.ts';
import { actionsMenu, announce, confirmAction, errorBox } from '../ui.ts';
import { invitationsSection } from './invitations-table.ts';
import { createInvitations, openInviteDialog } from './invite-dialog.ts';
import {
  type ListedInvitation,
  listMembers,
  type MemberSort,
  type MembersPage,
  removeMember,
  revokeInvitation,
} from './member-api.ts';
import { memberDialogs } from './member-dialogs.ts';
import { renderMemberTable } from './member-table.ts';
import { loadResources, type Resource } from './resources.ts';

const SIZES = [10, 25, 50, 100];
const SORTS: [string, string][] = [
  ['role-asc', 'Owners first'],
  ['name-asc', 'Name, A to Z'],
  ['name-desc', 'Name, Z to A'],
  ['email-asc', 'Email, A to Z'],
  ['email-desc', 'Email, Z to A'],
  ['role-desc', 'Owners last'],
];
/** The rows-per-page choice, kept across reloads on this browser. */
const SIZE_KEY = 'console.members.rowsPerPage';
const savedSize = (): number => {
  try {
    const n = Number(localStorage.getItem(SIZE_KEY));
    return SIZES.includes(n) ? n : 25;
  } catch {
    return 25; // storage refused (private mode, policy): the default
  }
};

/**
 * The service searches names (or, with sort=email, addresses) by prefix: a search while sorted by role runs over
 * names, or over addresses when it looks like one.
 */
const searchSort = (sort: MemberSort, q: string): MemberSort =>
  !q || sort === 'email' ? sort : q.includes('@') ? 'email' : sort === 'role' ? 'name' : sort;

export async function renderMembers(main: HTMLElement, s: Session): Promise<void> {
  const org = s.org!;
  const admin = isOrgAdmin(s.me?.role_assignments);
  const state = {
    size: savedSize(),
    sort: 'role' as MemberSort,
    order: 'asc' as 'asc' | 'desc',
    query: '',
    cursors: [undefined] as (string | undefined)[],
    page: 0,
  };
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
      SIZES.map((n) => h('option', { value: n, selected: n === state.size }, String(n))),
    ),
  );
  // The same orders as the column headers, for narrow screens where the table becomes cards without them.
  const sortSelect = field(
    'Sort by',
    h(
      'select',
      {},
      SORTS.map(([value, words]) => h('option', { value }, words)),
    ),
  );
  const inviteButton = admin
    ? h('button', { type: 'button', class: 'primary' }, 'Invite members')
    : undefined;
  const membersArea = h('section', { 'aria-labelledby': 'members-title' });
  const count = h('p', { class: 'count', role: 'status' });
  const dialogs = memberDialogs({ s, org, resources: () => resources, refresh: () => refresh() });
  const invitations = invitationsSection({
    orgId: org.id,
    names: () => names,
    resend: (inv) => void resend(inv),
    revoke: (inv) =>
      confirmAction({
        title: `Revoke the invitation to ${inv.email}?`,
        text: 'The link in the email will stop working.',
        confirm: 'Revoke invitation',
        danger: true,
        action: async () => {
          await revokeInvitation(org.id, inv.token);
          announce(`Invitation to ${inv.email} revoked.`);
          await refresh();
        },
      }),
  });
  main.append(
    h('h1', { tabindex: '-1' }, 'Members'),
    h('p', { class: 'lead' }, `People in ${org.name}, their roles, and the invitations still open.`),
    h('div', { class: 'toolbar' }, search.wrap, sortSelect.wrap, sizeSelect.wrap, inviteButton),
    count,
    errors,
    membersArea,
    invitations.element,
  );

  const restart = () => {
    sortSelect.control.value = `${state.sort}-${state.order}`;
    state.page = 0;
    state.cursors = [undefined];
    void refresh();
  };

  let renderSeq = 0;
  const refresh = async () => {
    const seq = ++renderSeq;
    errors.reset();
    const sort = searchSort(state.sort, state.query);
    let page: MembersPage;
    try {
      const cursor = state.cursors[state.page];
      page = await listMembers(org.id, {
        size: state.size,
        sort,
        order: state.order,
        ...(state.query ? { q: state.query } : {}),
        ...(cursor ? { next: cursor } : {}),
        ...(admin && state.page === 0 ? { include: 'invitations' as const } : {}),
      });
    } catch (e) {
      errors.show(e);
      return;
    }
    if (seq !== renderSeq) return; // a newer search or page replaced this one
    state.cursors[state.page + 1] = page.next;
    const view = { sort, order: state.order, query: state.query, page: state.page };
    renderMemberTable(membersArea, page, view, {
      orgName: org.name,
      userId: s.userId,
      names,
      actions: memberActions,
      sortBy: (by) => {
        state.order = state.sort === by && state.order === 'asc' ? 'desc' : 'asc';
        state.sort = by;
        restart();
      },
      turn: (by) => {
        state.page += by;
        void refresh().then(() => membersArea.querySelector<HTMLElement>('h2')?.focus());
      },
    });
    if (state.page === 0) invitations.show(page.invitations, state.query);
    const n = page.total.toLocaleString('en');
    const first = state.page * state.size + 1;
    const paged = state.page > 0 || page.next !== undefined;
    const range = paged && page.members.length ? `, ${first}–${first + page.members.length - 1} shown` : '';
    count.textContent = state.query
      ? `${n} ${page.total === 1 ? 'member matches' : 'members match'} “${state.query}”${range}.`
      : `${n} member${page.total === 1 ? '' : 's'}${range}.`;
  };

  const memberActions = (m: Member) => {
    const mine = m.user_id === s.userId;
    const items: { text: string; danger?: boolean; run: () => void }[] = [];
    if (admin) items.push({ text: 'Edit role', run: () => dialogs.editRole(m) });
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

  inviteButton?.addEventListener('click', () => openInviteDialog(org, resources, refresh));
  let timer: ReturnType<typeof setTimeout> | undefined;
  search.control.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.query = search.control.value.trim().slice(0, 100);
      restart();
    }, 250);
  });
  sortSelect.control.addEventListener('change', () => {
    const [sort, order] = sortSelect.control.value.split('-') as [MemberSort, 'asc' | 'desc'];
    Object.assign(state, { sort, order });
    restart();
  });
  sizeSelect.control.addEventListener('change', () => {
    state.size = Number(sizeSelect.control.value);
    try {
      localStorage.setItem(SIZE_KEY, String(state.size));
    } catch {
      // not kept: the choice still holds on this page
    }
    restart();
  });

  try {
    resources = await loadResources(org.id);
    names = new Map([...resources.deployments, ...resources.projects].map((r) => [r.id, r.name]));
  } catch (e) {
    errors.show(e);
  }
  await refresh();
}
