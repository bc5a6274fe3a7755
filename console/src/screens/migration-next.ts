/**
 * What a person can do next on a migration's page: accept the invitation it waits for without pasting it again (the
 * one chosen when starting, or found among the user's own), cancel (after a confirmation), or, once it stopped after
 * leaving, accept an invitation and restore. Also what the console keeps of a move's invitation, in this tab: the
 * target's name and the token.
 */
import { api, ok, type Schemas } from '../api.ts';
import { h } from '../dom.ts';
import { reload } from '../router.ts';
import { announce, busy, confirmAction, type errorBox } from '../ui.ts';
import { invitationOpener } from './invitation.ts';

type Migration = Schemas['Migration'];

const targetKey = (id: string) => `org-console.migration-target.${id}`;
const invitationKey = (id: string) => `org-console.migration-invitation.${id}`;

type Known = Pick<Schemas['OrganizationInvitation'], 'token' | 'organization'>;
const WAIT_STEP = 'Wait for invitation acceptance';
/** Migrations whose invitation was looked for among the user's own, this page load. */
const looked = new Set<string>();

/** Keeps the invitation a move was started with: its target's name (not readable before joining) and its token. */
export function rememberMove(id: string, inv: Known): void {
  sessionStorage.setItem(targetKey(id), inv.organization.name);
  sessionStorage.setItem(invitationKey(id), inv.token);
}

/**
 * The move's invitation when this tab did not start it (another device, a new tab): the target's pending invitation
 * among the user's own (`GET /users/me/invitations`), once, while there is one to accept.
 */
export async function learnInvitation(m: Migration): Promise<void> {
  const needed =
    m.status === 'running' ? m.current_step === WAIT_STEP : !!m.left_at && m.status !== 'succeeded';
  if (!needed || sessionStorage.getItem(invitationKey(m.id)) || looked.has(m.id)) return;
  looked.add(m.id);
  const mine = await ok(api().GET('/api/v1/users/me/invitations')).catch(() => ({ invitations: [] }));
  const inv = mine.invitations.find((i) => i.organization.id === m.target_organization_id);
  if (inv) rememberMove(m.id, inv);
}

export const rememberedTarget = (id: string): string | undefined =>
  sessionStorage.getItem(targetKey(id)) ?? undefined;

export interface NextContext {
  targetName: string | undefined;
  errors: ReturnType<typeof errorBox>;
  /** Reads the migration again and redraws. */
  refresh: () => Promise<void>;
}

export function nextActions(m: Migration, ctx: NextContext): (Node | undefined)[] {
  if (m.status === 'succeeded') return succeeded(ctx);
  if (m.status === 'running') return running(m, ctx);
  return stopped(m, ctx);
}

function succeeded(ctx: NextContext): Node[] {
  const open = h('button', { type: 'button', class: 'primary' }, 'Open your organization');
  open.addEventListener('click', () => void reload('#/members'));
  return [
    h('h2', {}, 'Done'),
    h('p', {}, `You are now a member of ${ctx.targetName ?? 'the new organization'}.`),
    open,
  ];
}

function running(m: Migration, ctx: NextContext): (Node | undefined)[] {
  const target = ctx.targetName ?? 'the other organization';
  const cancel = h('button', { type: 'button', class: 'danger' }, 'Cancel the move');
  cancel.addEventListener('click', () =>
    confirmAction({
      title: 'Cancel the move?',
      text: m.left_at
        ? `You have already left your organization. Cancelling stops here: your deployments and projects stay as snapshots in your repository, and you can restore them into ${target} later.`
        : 'The move stops and everything is put back as it was: you stay in your organization with every deployment and project.',
      confirm: 'Cancel the move',
      dismiss: 'Keep moving',
      danger: true,
      action: async () => {
        await ok(
          api().POST('/api/v1/migrations/{migration_id}/_cancel', {
            params: { path: { migration_id: m.id } },
          }),
        );
        announce('Cancelling the move.');
        await ctx.refresh();
      },
    }),
  );
  const waiting = m.current_step === WAIT_STEP;
  const accept = waiting
    ? [
        h('h2', {}, 'Next: accept the invitation'),
        ...acceptKnown(m, target, ctx, {
          afterwards: 'The move continues.',
          unknown: `${target} has emailed you its invitation again. Open the link in the email, or paste it here, and accept it: the move then continues by itself.`,
          known: `Accept the invitation from ${target} (it was emailed to you again): the move then continues by itself.`,
        }),
      ]
    : [];
  return [...accept, h('div', { class: 'actions' }, cancel)];
}

/**
 * Accepting the invitation the move was started with, with one button, when this tab knows it; else its emailed link
 * (another device, or a new invitation after this one expired).
 */
function acceptKnown(
  m: Migration,
  target: string,
  ctx: NextContext,
  opts: { afterwards: string; known: string; unknown?: string; orAnother?: boolean },
): Node[] {
  const token = sessionStorage.getItem(invitationKey(m.id));
  const opener = (title: string) =>
    invitationOpener({ title, onAccepted: () => announce(`Invitation accepted. ${opts.afterwards}`) });
  if (!token) return [...(opts.unknown ? [h('p', {}, opts.unknown)] : []), opener('Accept the invitation')];
  const accept = h('button', { type: 'button', class: 'primary' }, `Accept and join ${target}`);
  accept.addEventListener('click', () =>
    busy(accept, ctx.errors, async () => {
      await ok(
        api().POST('/api/v1/organizations/invitations/{invitation_token}/_accept', {
          params: { path: { invitation_token: token } },
        }),
      );
      announce(`Invitation accepted. ${opts.afterwards}`);
      await ctx.refresh();
    }),
  );
  return [
    h('p', {}, opts.known),
    h('div', { class: 'actions' }, accept),
    ...(opts.orAnother ? [opener('Or open a new invitation')] : []),
  ];
}

function stopped(m: Migration, ctx: NextContext): Node[] {
  const cancelled = m.status === 'cancelled';
  const parts: Node[] = [
    h('h2', {}, cancelled ? 'You cancelled the move' : 'What happened'),
    h('p', { class: 'cause', id: 'migration-cause' }, m.cause ?? m.error ?? 'The migration failed.'),
  ];
  if (m.error) parts.push(h('p', { class: 'hint' }, `Reason code: ${m.error}`));
  if (!m.left_at)
    return [
      ...parts,
      h('p', {}, 'Nothing changed: you are still where you started. You can start again.'),
      h('a', { href: '#/move' }, 'Start a new move'),
    ];
  const restore = h('button', { type: 'button', class: 'primary' }, 'Restore into the new organization');
  restore.addEventListener('click', () =>
    busy(restore, ctx.errors, async () => {
      await ok(
        api().POST('/api/v1/migrations/{migration_id}/_restore', {
          params: { path: { migration_id: m.id } },
        }),
      );
      announce('Restore finished.');
      await ctx.refresh();
    }),
  );
  return [
    ...parts,
    h('h3', {}, 'Next'),
    h(
      'p',
      {},
      'Your deployments and projects are kept as snapshots in your repository. Accept an invitation to the other organization (ask for a new one if it expired), then restore.',
    ),
    ...acceptKnown(m, ctx.targetName ?? 'the other organization', ctx, {
      afterwards: 'Now restore.',
      known: `First accept the invitation from ${ctx.targetName ?? 'the other organization'}, if it has not expired:`,
      orAnother: true,
    }),
    h('div', { class: 'actions' }, restore),
  ];
}
