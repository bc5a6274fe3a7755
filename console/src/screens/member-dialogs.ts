/** The Members tab's dialogs: Edit role (one member's roles) and Invite members (addresses, expiry, roles). */
import { ApiError } from '../api.ts';
import { clear, field, h, showFieldError, time } from '../dom.ts';
import {
  emptyChosenScopes,
  fromChoice,
  looksLikeEmail,
  roleChanges,
  splitAddresses,
  toChoice,
} from '../roles.ts';
import { reload } from '../router.ts';
import type { Member, Session } from '../session.ts';
import { announce, busy, errorBox, messageOf, openDialog } from '../ui.ts';
import { changeRoles, createInvitations } from './member-api.ts';
import type { Resource } from './resources.ts';
import { roleForm } from './roleform.ts';

const MAX_ADDRESSES = 100;

export interface DialogContext {
  s: Session;
  org: { id: string; name: string };
  resources: () => { deployments: Resource[]; projects: Resource[] };
  /** Reads the list again, once something changed. */
  refresh: () => Promise<void>;
}

export function memberDialogs({ s, org, resources: resourcesOf, refresh }: DialogContext) {
  const editRole = (m: Member) => {
    openDialog(
      `Edit role: ${m.name ?? m.email}`,
      (d) => {
        const form = roleForm(toChoice(m.role_assignments), resourcesOf());
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

  const invite = () => {
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
        const form = roleForm(toChoice({}), resourcesOf());
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
            formErrors.show(
              new Error(`Fix the marked address${bad.length > 1 ? 'es' : ''}, then send again.`),
            );
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
              await refresh();
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
  };

  return { editRole, invite };
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
