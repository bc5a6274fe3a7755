/**
 * The Members tab's table: one page of members as the service sorted it, column headers that sort (Name, Email,
 * Roles: owners first), the pager, and each row's actions.
 */
import { clear, h, time } from '../dom.ts';
import { describeRoles } from '../roles.ts';
import type { Member } from '../session.ts';
import type { MemberSort, MembersPage } from './member-api.ts';

export interface TableView {
  sort: MemberSort;
  order: 'asc' | 'desc';
  query: string;
  page: number;
}

export interface TableHandlers {
  orgName: string;
  userId: string;
  names: Map<string, string>;
  actions: (m: Member) => HTMLElement | undefined;
  /** A header was chosen: sort by its column (the same one again reverses the order). */
  sortBy: (sort: MemberSort) => void;
  turn: (by: -1 | 1) => void;
}

const COLUMNS: [string, MemberSort | undefined][] = [
  ['Name', 'name'],
  ['Email', 'email'],
  ['Roles', 'role'],
  ['Member since', undefined],
  ['Joined', undefined],
];

const JOINED: Record<string, string> = {
  invitation: 'Invitation',
  sso: 'SSO',
  scim: 'SCIM',
  created: 'Created it',
};

/** A column header; a sortable one is a button, and the sorted one says which way (aria-sort). */
function header(label: string, sort: MemberSort | undefined, view: TableView, on: TableHandlers) {
  if (!sort) return h('th', { scope: 'col' }, label);
  const sorted = view.sort === sort;
  const arrow = sorted ? (view.order === 'asc' ? ' ▲' : ' ▼') : '';
  const how = sort === 'role' ? 'owners first' : view.order === 'asc' && sorted ? 'Z to A next' : 'A to Z';
  return h(
    'th',
    { scope: 'col', ...(sorted ? { 'aria-sort': view.order === 'asc' ? 'ascending' : 'descending' } : {}) },
    h(
      'button',
      {
        type: 'button',
        class: 'sort',
        'data-sort': sort,
        title: `Sort by ${label.toLowerCase()} (${how})`,
        onclick: () => on.sortBy(sort),
      },
      label,
      h('span', { 'aria-hidden': 'true' }, arrow),
    ),
  );
}

export function renderMemberTable(area: HTMLElement, page: MembersPage, view: TableView, on: TableHandlers) {
  const prev = h(
    'button',
    { type: 'button', disabled: view.page === 0, onclick: () => on.turn(-1) },
    'Previous page',
  );
  const next = h('button', { type: 'button', disabled: !page.next, onclick: () => on.turn(1) }, 'Next page');
  const pager = h(
    'nav',
    { class: 'pager', 'aria-label': 'Members pages' },
    prev,
    h('span', { class: 'page-no' }, `Page ${view.page + 1}`),
    next,
  );
  clear(
    area,
    h('h2', { id: 'members-title', tabindex: '-1' }, 'Members'),
    page.members.length === 0
      ? h(
          'p',
          { class: 'empty' },
          view.query ? `No members match “${view.query}”.` : 'No members on this page.',
        )
      : h(
          'table',
          { class: 'data' },
          h('caption', { class: 'visually-hidden' }, `Members of ${on.orgName}`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              COLUMNS.map(([label, sort]) => header(label, sort, view, on)),
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
                  m.user_id === on.userId ? h('span', { class: 'you' }, ' (you)') : undefined,
                ),
                h('td', { 'data-label': 'Email' }, m.email),
                h(
                  'td',
                  { 'data-label': 'Roles', class: 'roles' },
                  describeRoles(m.role_assignments, on.names).join(', '),
                ),
                h('td', { 'data-label': 'Member since' }, m.member_since ? time(m.member_since) : ''),
                h(
                  'td',
                  { 'data-label': 'Joined', class: 'joined' },
                  m.joined_through ? JOINED[m.joined_through] : '',
                ),
                h('td', { class: 'row-actions' }, on.actions(m)),
              ),
            ),
          ),
        ),
    page.members.length > 0 || view.page > 0 ? pager : undefined,
  );
}
