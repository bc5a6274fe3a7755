/**
 * The Members tab's open invitations: roles in words, status, expiry, email delivery and each row's Resend and Revoke.
 * While an email is queued, the list is read again every few seconds, so "Queued" turns to "Sent" (or "Failed") by
 * itself; reading stops once none is queued or the screen is left.
 */
import { clear, h, time } from '../dom.ts';
import { describeRoles } from '../roles.ts';
import { actionsMenu, badge } from '../ui.ts';
import { type ListedInvitation, listInvitations } from './member-api.ts';

export const QUEUED_POLL_MS = 3000;

const EMAIL_STATUS: Record<string, [string, 'ok' | 'warn' | 'bad' | 'info']> = {
  sent: ['Sent', 'ok'],
  queued: ['Queued', 'info'],
  unsent: ['Queued', 'info'],
  failed: ['Failed', 'bad'],
};
const queued = (i: ListedInvitation) => i.email_status === 'queued' || i.email_status === 'unsent';

export interface InvitationsSection {
  element: HTMLElement;
  /** Shows the invitations whose address starts with `query` (all without one), and watches queued emails. */
  show(invitations: ListedInvitation[] | undefined, query: string): void;
}

export function invitationsSection(opts: {
  orgId: string;
  names: () => Map<string, string>;
  resend: (inv: ListedInvitation) => void;
  revoke: (inv: ListedInvitation) => void;
}): InvitationsSection {
  const element = h('section', { 'aria-labelledby': 'invitations-title' });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let shown = 0;

  const row = (inv: ListedInvitation) => {
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
        describeRoles(inv.role_assignments, opts.names()).join(', '),
      ),
      h('td', { 'data-label': 'Status' }, inv.expired ? badge('Expired', 'bad') : badge('Pending', 'warn')),
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
          { text: 'Resend', run: () => opts.resend(inv) },
          { text: 'Revoke', danger: true, run: () => opts.revoke(inv) },
        ]),
      ),
    );
  };

  const show = (all: ListedInvitation[] | undefined, query: string) => {
    clearTimeout(timer);
    const seq = ++shown;
    if (all === undefined) {
      clear(element);
      return;
    }
    const needle = query.toLowerCase();
    const invitations = needle ? all.filter((i) => i.email.startsWith(needle)) : all;
    clear(
      element,
      h('h2', { id: 'invitations-title' }, 'Open invitations'),
      invitations.length === 0
        ? h('p', { class: 'empty' }, query ? `No invitations match “${query}”.` : 'No open invitations.')
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
                ['Email', 'Roles', 'Status', 'Expires', 'Email delivery'].map((c) =>
                  h('th', { scope: 'col' }, c),
                ),
                h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
              ),
            ),
            h('tbody', {}, invitations.map(row)),
          ),
    );
    if (!all.some(queued)) return;
    timer = setTimeout(async () => {
      // Left the screen, or shown again meanwhile (a search, a page): that showing watches instead.
      if (!element.isConnected || seq !== shown) return;
      try {
        const fresh = await listInvitations(opts.orgId);
        if (seq === shown && element.isConnected) show(fresh, query);
      } catch {
        // A failed read is retried by the next showing; the list stays as it was.
      }
    }, QUEUED_POLL_MS);
  };
  return { element, show };
}
