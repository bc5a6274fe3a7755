/**
 * The Members tab's Invite members dialog: addresses, expiry and roles at invite time, and the result per address.
 * Safe to use twice in a row: the roles reset after a send; replacing the roles of an address's pending invitation is
 * said first (its roles now against the new ones) and sent only once confirmed; an address the service refuses
 * (already a member, not valid) does not hold back the others.
 *
 * Partial success is the console's, not the API's: the create-invitations route is the Elastic reference's, all or
 * nothing, with the refused addresses in the error's `fields`. The dialog sends again without those addresses and lists
 * them with why, so a script written for the reference sees the same answers as before.
 */
import { ApiError, api, ok, type Schemas } from '../api.ts';
import { clear, field, h, showFieldError, time } from '../dom.ts';
import {
  describeRoles,
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
/** Refusals that name the addresses at fault in `fields`: the rest of the batch can go without them. */
const PER_ADDRESS = new Set([
  'organization.user_organization_already_belongs',
  'organization.invitation_invalid_email',
]);

type Tone = 'ok' | 'bad' | 'info';
type Invited = Schemas['OrganizationInvitation'];
const key = (address: string) => address.trim().toLowerCase();
const sameRoles = (a: RoleAssignments | undefined, b: RoleAssignments | undefined) =>
  JSON.stringify(toChoice(a)) === JSON.stringify(toChoice(b));

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
      let form = roleForm(toChoice({}), resources);
      const rolesSlot = h('div', {}, form.element);
      const formErrors = errorBox();
      const replacing = h('div', { class: 'replace-warning', role: 'alert', hidden: true });
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
        rolesSlot,
        formErrors,
        replacing,
        resultsWrap,
        h('div', { class: 'actions' }, send, done),
      );
      const showResults = (rows: [string, string, Tone][]) => {
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
      /** The request a person confirmed replacing roles for; any change to addresses or roles asks again. */
      let confirmed: string | undefined;

      const submit = async () => {
        formErrors.reset();
        replacing.hidden = true;
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
        const request = JSON.stringify([list.map(key).sort(), role_assignments]);
        await busy(send, formErrors, async () => {
          // Without roles a pending invitation keeps its own, so only a send with roles can replace any.
          if (Object.keys(role_assignments).length && confirmed !== request) {
            const changed = await pendingWithOtherRoles(org.id, list, role_assignments);
            if (changed.length) {
              showReplaceWarning(replacing, changed, role_assignments, resources, () => {
                confirmed = request;
                void submit();
              });
              return;
            }
          }
          const outcome = await sendAllowed(org.id, list, {
            expires_in: expiry.control.value,
            ...(Object.keys(role_assignments).length ? { role_assignments } : {}),
          });
          showResults(
            list.map((a) => {
              const refused = outcome.refused.get(key(a));
              if (refused) return [a, refused, 'bad'];
              const inv = outcome.invited.get(key(a));
              return [a, inv ? `Invited, expires ${time(inv.expires_at).textContent}` : 'Invited', 'ok'];
            }),
          );
          const sent = list.length - outcome.refused.size;
          announce(
            outcome.refused.size
              ? `${sent} of ${list.length} invitations sent; ${outcome.refused.size} address${outcome.refused.size > 1 ? 'es' : ''} refused.`
              : `${sent} invitation${sent > 1 ? 's' : ''} sent.`,
          );
          // What was sent is done: the refused addresses stay to be fixed, the roles start empty again.
          addresses.control.value = list.filter((a) => outcome.refused.has(key(a))).join('\n');
          form = roleForm(toChoice({}), resources);
          clear(rolesSlot, form.element);
          confirmed = undefined;
          if (sent > 0) await onSent();
        });
      };
      el.addEventListener('submit', (e) => {
        e.preventDefault();
        void submit();
      });
      return [el];
    },
    { wide: true },
  );
}

/** Addresses whose pending, unexpired invitation carries other roles than `wanted`, with those roles. */
async function pendingWithOtherRoles(
  orgId: string,
  list: string[],
  wanted: RoleAssignments,
): Promise<{ email: string; roles: RoleAssignments }[]> {
  const asked = new Set(list.map(key));
  const { invitations } = await ok(
    api().GET('/api/v1/organizations/{organization_id}/invitations', {
      params: { path: { organization_id: orgId } },
    }),
  );
  return invitations
    .filter((i) => asked.has(i.email) && !i.expired && !sameRoles(i.role_assignments, wanted))
    .map((i) => ({ email: i.email, roles: i.role_assignments ?? {} }));
}

/** The warning before replacing roles: each address, its roles now and the new ones, and a button to go ahead. */
function showReplaceWarning(
  box: HTMLElement,
  changed: { email: string; roles: RoleAssignments }[],
  wanted: RoleAssignments,
  resources: { deployments: Resource[]; projects: Resource[] },
  go: () => void,
): void {
  const names = new Map([...resources.deployments, ...resources.projects].map((r) => [r.id, r.name]));
  const replace = h('button', { type: 'button', class: 'danger' }, 'Replace roles and send');
  replace.addEventListener('click', go);
  clear(
    box,
    h(
      'p',
      {},
      changed.length === 1
        ? `${changed[0]?.email} already has a pending invitation with other roles. Sending replaces them.`
        : `${changed.length} addresses already have pending invitations with other roles. Sending replaces them.`,
    ),
    h(
      'ul',
      {},
      changed.map((c) =>
        h(
          'li',
          { 'data-replacing': c.email },
          h('strong', {}, c.email),
          `: now ${describeRoles(c.roles, names).join(', ')}; would become ${describeRoles(wanted, names).join(', ')}.`,
        ),
      ),
    ),
    h('div', { class: 'actions' }, replace),
  );
  box.hidden = false;
  replace.focus();
}

/**
 * Sends the batch; when the service refuses some addresses by name (`fields`), sends again without them, so the
 * others are invited. Any other refusal is thrown as it came.
 */
async function sendAllowed(
  orgId: string,
  list: string[],
  rest: Omit<InvitationsBody, 'emails'>,
): Promise<{ invited: Map<string, Invited>; refused: Map<string, string> }> {
  const refused = new Map<string, string>();
  let left = list;
  // Each round removes at least one address; two kinds of refusal make two rounds at most, plus the send.
  for (let round = 0; round < 3 && left.length; round++) {
    try {
      const res = await createInvitations(orgId, { emails: left, ...rest });
      return { invited: new Map(res.invitations.map((i) => [i.email, i])), refused };
    } catch (err) {
      if (!(err instanceof ApiError) || !PER_ADDRESS.has(err.code ?? '')) throw err;
      const marked = new Set(err.fields.map(key));
      const out = left.filter((a) => marked.has(key(a)));
      if (out.length === 0) throw err;
      for (const a of out) refused.set(key(a), perAddress(err));
      left = left.filter((a) => !marked.has(key(a)));
    }
  }
  return { invited: new Map(), refused };
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
