/**
 * The welcome screen's "Invitations for you": the pending invitations sent to the signed-in person's verified address
 * (`GET /api/v1/users/me/invitations`), each with what accepting means and an Accept button, so nobody needs the
 * emailed link to join.
 */
import { ApiError, api, ok, type Schemas } from '../api.ts';
import { h, time } from '../dom.ts';
import { describeRoles } from '../roles.ts';
import { announce, errorBox } from '../ui.ts';
import { onAccept } from './invitation.ts';

type Waiting = Schemas['MyInvitations']['invitations'][number];

export async function invitationsForMe(email: string, onAccepted: () => Promise<void>): Promise<HTMLElement> {
  const section = h(
    'section',
    { class: 'card my-invitations', 'aria-labelledby': 'my-invitations-title' },
    h('h2', { id: 'my-invitations-title' }, 'Invitations for you'),
  );
  let waiting: Waiting[];
  try {
    waiting = (await ok(api().GET('/api/v1/users/me/invitations'))).invitations;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'organization.invitation_email_not_verified') {
      section.append(
        h(
          'p',
          {},
          `Your identity provider has not verified ${email}. Verify it, then sign in again to see the invitations sent to it.`,
        ),
      );
      return section;
    }
    const box = errorBox();
    box.show(e);
    section.append(box);
    return section;
  }
  if (waiting.length === 0) {
    section.append(
      h(
        'p',
        { class: 'empty' },
        `No invitation is waiting for ${email}. Ask an administrator of the organization you want to join to invite this address.`,
      ),
    );
    return section;
  }
  section.append(
    h(
      'p',
      {},
      'Accepting makes you a member of that organization with the roles listed. You can belong to one organization at a time, so accept one.',
    ),
    h(
      'ul',
      { class: 'invitation-list' },
      waiting.map((inv) => h('li', {}, waitingItem(inv, onAccepted))),
    ),
  );
  return section;
}

function waitingItem(inv: Waiting, onAccepted: () => Promise<void>): HTMLElement {
  const org = inv.organization.name;
  const roles = describeRoles(inv.role_assignments ?? {});
  const inviter = inv.invited_by.name
    ? `${inv.invited_by.name} (${inv.invited_by.email})`
    : inv.invited_by.email;
  const errors = errorBox();
  const titleId = `waiting-${inv.organization.id}`;
  const accept = h('button', { type: 'button', class: 'primary' }, `Accept and join ${org}`);
  // The token is the one the email carries; the service checks again that it was sent to this verified address.
  onAccept(accept, errors, inv.token, async () => {
    announce(`You joined ${org}.`);
    await onAccepted();
  });
  const item = h(
    'article',
    { class: 'waiting', 'aria-labelledby': titleId, 'data-organization': inv.organization.id },
    h('h3', { id: titleId }, org),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Invited by'),
      h('dd', {}, inviter),
      h('dt', {}, 'Roles offered'),
      h('dd', {}, roles.join(', ')),
      h('dt', {}, 'Expires'),
      h('dd', {}, time(inv.expires_at)),
    ),
    accept,
    errors,
  );
  return item;
}
