/** The Members tab's Invite members dialog: addresses, expiry and roles at invite time, and the result per address. */
import { ApiError, api, ok } from '../api.ts';
import { clear, field, h, showFieldError, time } from '../dom.ts';
import {
  emptyChosenScopes,
  fromChoice,
  looksLikeEmail,
  type RoleAssignments,
  splitAddresses,
  toChoice,
} from '../roles.ts';
import { announce, busy, errorBox, messageOf, openDialog } from '../ui.ts';
import type { Resource } from './resources.ts';
import { roleForm } from './roleform.ts';

const MAX_ADDRESSES = 100;

export function openInviteDialog(
  org: { id: string; name: string },
  resources: { deployments: Resource[]; projects: Resource[] },
  onSent: () => Promise<void>,
): void {
  openDialog(
    'Invite members',
    (d) => {
      const addresses = field(
        'Email addresses',
        h('textarea', { rows: 4, autocomplete: 'off', spellcheck: 'false' }),
        `Separate addresses with spaces, commas or new lines (up to ${MAX_ADDRESSES}).`,
      );
      const expiry = field(
        'Invitation expires after',
        h(
          'select',
          {},
          [
            ['24h', '1 day'],
            ['72h', '3 days'],
            ['7d', '7 days'],
            ['14d', '14 days'],
            ['30d', '30 days'],
          ].map(([v, l]) => h('option', { value: v, selected: v === '72h' }, l)),
        ),
      );
      const form = roleForm(toChoice({}), resources);
      const formErrors = errorBox();
      const results = h('ul', { class: 'results', 'aria-label': 'Result per address' });
      const resultsWrap = h('div', { hidden: true }, h('h3', {}, 'Result per address'), results);
      const send = h('button', { type: 'submit', class: 'primary' }, 'Send invitations');
      const done = h('button', { type: 'button', onclick: () => d.close() }, 'Close');
      const el = h(
        'form',
        {},
        addresses.wrap,
        expiry.wrap,
        h('h3', {}, 'Roles at invite time'),
        form.element,
        formErrors,
        resultsWrap,
        h('div', { class: 'actions' }, send, done),
      );
      const showResults = (rows: [string, string, 'ok' | 'bad' | 'info'][]) => {
        resultsWrap.hidden = false;
        clear(
          results,
          rows.map(([addr, text, tone]) =>
            h(
              'li',
              { class: `result ${tone}`, 'data-address': addr },
              h('span', { class: 'addr' }, addr),
              h('span', { class: 'outcome' }, text),
            ),
          ),
        );
      };
      el.addEventListener('submit', async (e) => {
        e.preventDefault();
        formErrors.reset();
        const list = splitAddresses(addresses.control.value);
        showFieldError(
          addresses,
          list.length === 0
            ? 'Type at least one email address.'
            : list.length > MAX_ADDRESSES
              ? `At most ${MAX_ADDRESSES} addresses at a time (you typed ${list.length}).`
              : undefined,
        );
        if (list.length === 0 || list.length > MAX_ADDRESSES) {
          addresses.control.focus();
          return;
        }
        const bad = list.filter((a) => !looksLikeEmail(a));
        if (bad.length) {
          showResults(
            list.map((a) =>
              bad.includes(a) ? [a, 'Not a valid email address', 'bad'] : [a, 'Not sent yet', 'info'],
            ),
          );
          formErrors.show(new Error(`Fix the marked address${bad.length > 1 ? 'es' : ''}, then send again.`));
          return;
        }
        const wanted = form.value();
        const empty = emptyChosenScopes(wanted);
        if (empty.length) {
          formErrors.show(new Error(`Choose at least one resource for: ${empty.join(', ')}.`));
          return;
        }
        const role_assignments = fromChoice(org.id, wanted);
        await busy(send, formErrors, async () => {
          try {
            const res = await createInvitations(org.id, {
              emails: list,
              expires_in: expiry.control.value,
              ...(Object.keys(role_assignments).length ? { role_assignments } : {}),
            });
            const byEmail = new Map(res.invitations.map((i) => [i.email, i]));
            showResults(
              list.map((a) => {
                const inv = byEmail.get(a.toLowerCase());
                return [a, inv ? `Invited, expires ${time(inv.expires_at).textContent}` : 'Invited', 'ok'];
              }),
            );
            announce(`${list.length} invitation${list.length > 1 ? 's' : ''} sent.`);
            addresses.control.value = '';
            await onSent();
          } catch (err) {
            if (err instanceof ApiError && err.fields.length && !err.fields.includes('emails')) {
              const marked = new Set(err.fields.map((f) => f.toLowerCase()));
              const why = perAddress(err);
              showResults(
                list.map((a) =>
                  marked.has(a.toLowerCase())
                    ? [a, why, 'bad']
                    : [
                        a,
                        err.code === 'organization.invitation_email_failed'
                          ? 'Invited'
                          : 'Not sent: fix the marked addresses first',
                        'info',
                      ],
                ),
              );
            }
            throw err;
          }
        });
      });
      return [el];
    },
    { wide: true },
  );
}

/** A short reason next to an address, from the service's error code (its full message is shown above). */
function perAddress(err: ApiError): string {
  switch (err.code) {
    case 'organization.invitation_invalid_email':
      return 'Not a valid email address';
    case 'organization.user_organization_already_belongs':
      return 'Already a member of this organization';
    case 'organization.invitation_email_failed':
      return 'Saved, but the email could not be sent: send again';
    default:
      return messageOf(err);
  }
}

type InvitationsBody = { emails: string[]; expires_in?: string; role_assignments?: RoleAssignments };
export const createInvitations = (orgId: string, body: InvitationsBody) =>
  ok(
    api().POST('/api/v1/organizations/{organization_id}/invitations', {
      params: { path: { organization_id: orgId } },
      body,
    }),
  );
