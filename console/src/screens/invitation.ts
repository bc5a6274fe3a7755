/** Opening an invitation from its emailed link: what it offers, and accepting it (or choosing it for a move). */
import { ApiError, api, ok, type Schemas } from '../api.ts';
import { clear, field, h, showFieldError, time } from '../dom.ts';
import { describeRoles, type RoleAssignments } from '../roles.ts';
import { reload } from '../router.ts';
import { busy, type ErrorBox, errorBox } from '../ui.ts';

/** An invitation as the API answers it: its roles are always there (`{}` for none). */
export type Invitation = Schemas['OrganizationInvitation'] & { role_assignments: RoleAssignments };

/** The token from a pasted link (`…/invitations/<token>`) or the bare token. */
export function tokenFrom(text: string): string | undefined {
  const t = text.trim();
  const m = /\/invitations\/([A-Za-z0-9_-]{20,})/.exec(t) ?? /^([A-Za-z0-9_-]{20,})$/.exec(t);
  return m?.[1];
}

export function invitationSummary(inv: Invitation): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Organization'),
    h('dd', {}, inv.organization.name),
    h('dt', {}, 'Invited address'),
    h('dd', {}, inv.email),
    h('dt', {}, 'Roles offered'),
    h('dd', {}, describeRoles(inv.role_assignments).join(', ')),
    h('dt', {}, inv.expired ? 'Expired' : 'Expires'),
    h('dd', {}, time(inv.expires_at)),
  );
}

export function invitationOpener(opts: {
  title?: string;
  intro?: string;
  /** Accept it here; called once the service accepted. */
  onAccepted?: (inv: Invitation) => void;
  /** Or choose it (for a move) instead of accepting. */
  onChosen?: (inv: Invitation) => void;
  chooseLabel?: string;
}): HTMLElement {
  const link = field(
    'Invitation link',
    h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' }),
    'Paste the link from the invitation email.',
  );
  const errors = errorBox();
  const open = h('button', { type: 'submit' }, 'Open invitation');
  const result = h('div', { class: 'invitation-result', 'aria-live': 'polite' });
  const titleId = `inv-${Math.random().toString(36).slice(2, 8)}`;
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, opts.title ?? 'Open an invitation'),
    opts.intro ? h('p', {}, opts.intro) : undefined,
    link.wrap,
    open,
    errors,
    result,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clear(result);
    const token = tokenFrom(link.control.value);
    showFieldError(
      link,
      token ? undefined : 'Paste the whole link from the email (it contains /invitations/…).',
    );
    if (!token) {
      link.control.focus();
      return;
    }
    await busy(open, errors, async () => {
      const answer = await ok(
        api().GET('/api/v1/organizations/invitations/{invitation_token}', {
          params: { path: { invitation_token: token } },
        }),
      );
      const inv: Invitation = { ...answer, role_assignments: answer.role_assignments ?? {} };
      const actionErrors = errorBox();
      const parts: Node[] = [invitationSummary(inv)];
      if (inv.accepted_at) parts.push(h('p', {}, 'This invitation has already been used.'));
      else if (inv.expired)
        parts.push(
          h(
            'p',
            {},
            'This invitation has expired. Ask an administrator of the organization to send a new one.',
          ),
        );
      else if (opts.onChosen) {
        const choose = h(
          'button',
          { type: 'button', class: 'primary' },
          opts.chooseLabel ?? 'Choose this invitation',
        );
        choose.addEventListener('click', () => opts.onChosen?.(inv));
        parts.push(choose);
      } else if (opts.onAccepted) {
        const accept = h(
          'button',
          { type: 'button', class: 'primary' },
          `Accept and join ${inv.organization.name}`,
        );
        onAccept(accept, actionErrors, token, () => opts.onAccepted?.(inv));
        parts.push(accept);
      }
      parts.push(actionErrors);
      clear(result, ...parts);
      result.querySelector<HTMLElement>('button')?.focus();
    });
  });
  return form;
}

/**
 * Wires an Accept button: accepts the invitation, then `onAccepted`. Refused because the person joined another
 * organization meanwhile, the button stays disabled and a link leads to the move instead (no dead end).
 */
export function onAccept(
  accept: HTMLButtonElement,
  errors: ErrorBox,
  token: string,
  onAccepted: () => unknown,
): void {
  let belongsElsewhere = false;
  accept.addEventListener('click', async () => {
    await busy(accept, errors, async () => {
      try {
        await ok(
          api().POST('/api/v1/organizations/invitations/{invitation_token}/_accept', {
            params: { path: { invitation_token: token } },
          }),
        );
      } catch (e) {
        if (e instanceof ApiError && e.code === 'organization.user_organization_already_belongs') {
          belongsElsewhere = true;
          // The session read at sign-in still says "no organization": reload reads it again.
          const move = h('a', { href: '#/move' }, 'Move to another organization');
          move.addEventListener('click', (ev) => {
            ev.preventDefault();
            void reload('#/move');
          });
          errors.after(h('p', { class: 'move-instead' }, move));
        }
        throw e;
      }
      await onAccepted();
    });
    accept.disabled = belongsElsewhere;
  });
}
