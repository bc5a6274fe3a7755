/** The invitation email and the page its link opens: plain template strings, every value escaped. */
import type { OidcConfig } from '../shared/config.ts';
import type { InvitationItem } from '../shared/domain.ts';
import { describeRoles } from '../shared/roles.ts';
import { oneLine } from '../shared/text.ts';

export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// Built once: toLocaleDateString builds a formatter on every call, a tenth of a millisecond each (100 emails = 20 ms).
let formats: { date: Intl.DateTimeFormat; time: Intl.DateTimeFormat } | undefined;

/** "Tue, 24 Nov 2026 12:00 UTC": unambiguous for every reader. */
export const humanTime = (iso: string): string => {
  formats ??= {
    date: new Intl.DateTimeFormat('en-GB', {
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    }),
    time: new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }),
  };
  const d = new Date(iso);
  return `${formats.date.format(d)} ${formats.time.format(d)} UTC`;
};

export const invitationLink = (publicBaseUrl: string, token: string): string =>
  `${publicBaseUrl}/invitations/${token}`;

/** The console's screens, served under PUBLIC_BASE_URL (same origin as the API and these pages). */
export const consolePath = (screen = ''): string => `/console/${screen ? `#/${screen}` : ''}`;

/** Where a person follows a migration: the console's page for it. */
export const migrationLink = (publicBaseUrl: string, migrationId: string): string =>
  `${publicBaseUrl}${consolePath(`migrations/${encodeURIComponent(migrationId)}`)}`;

type Inviter = Pick<InvitationItem, 'invited_by_email' | 'invited_by_name'>;
/** The inviter by name when their sign-in carried one (a subject line), otherwise by address. */
export const inviterName = (inv: Inviter): string =>
  inv.invited_by_name ? oneLine(inv.invited_by_name) : inv.invited_by_email;
/** The inviter by name with the address beside it, so the reader can tell who it is; otherwise the address. */
export const inviterOf = (inv: Inviter): string =>
  inv.invited_by_name ? `${oneLine(inv.invited_by_name)} (${inv.invited_by_email})` : inv.invited_by_email;

/**
 * Names go into emails through `oneLine`: the API refuses control and bidi characters in names, but a name stored
 * before it did could still hold CR/LF, and in a Subject that would be a header injection.
 */
export function invitationEmail(inv: InvitationItem, link: string) {
  if (inv.migration_id) return moveInvitationEmail(inv, link);
  const org = oneLine(inv.organization_name);
  const roles = describeRoles(inv.role_assignments);
  const expires = humanTime(inv.expires_at);
  const inviter = inviterOf(inv);
  const subject = `${inviterName(inv)} invited you to join ${org}`;
  const text = [
    `${inviter} invited you to join the organization "${org}".`,
    '',
    `Your roles: ${roles.join('; ')}`,
    `The invitation expires ${expires}.`,
    '',
    `Open this link to accept it: ${link}`,
    '',
    'You can belong to one organization at a time. If you already belong to another one, leave it first or sign in with a different email address.',
    'If you did not expect this invitation, ignore this email.',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p><strong>${escapeHtml(inviter)}</strong> invited you to join the organization <strong>${escapeHtml(org)}</strong>.</p>
<p>Your roles:</p><ul>${roles.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>
<p>The invitation expires <strong>${escapeHtml(expires)}</strong>.</p>
<p><a href="${escapeHtml(link)}">Accept the invitation</a></p>
<p style="color:#555">You can belong to one organization at a time. If you already belong to another one, leave it first or sign in with a different email address. If you did not expect this invitation, ignore this email.</p>
</body></html>`;
  return { to: inv.email, subject, text, html };
}

/**
 * The invitation a migration re-sends after leaving the source organization: a step of the person's own move, not a
 * first invitation. It says what accepting does next, and never to leave first (the workflow already left).
 */
function moveInvitationEmail(inv: InvitationItem, link: string) {
  const org = oneLine(inv.organization_name);
  const roles = describeRoles(inv.role_assignments);
  const expires = humanTime(inv.expires_at);
  const subject = `Accept your invitation to ${org} to finish your move`;
  const after = [
    `After you accept, you are a member of ${org} with these roles, the deployments and projects you brought are restored there from your snapshot repository and verified, and you become their admin (Deployment admin on each deployment you brought, and on each project the admin role of its type, such as Security admin), whatever the roles above. We email you when the move is complete.`,
    `If the invitation expires first, nothing is lost: your snapshots stay in your repository. Ask an administrator of ${org} to invite you again, accept it, and restore them from the migration's page.`,
  ];
  const text = [
    `You are moving to the organization "${org}", which ${inviterOf(inv)} invited you to join. You have left your previous organization; accepting this invitation is the next step of your move.`,
    '',
    `Your roles in ${org}: ${roles.join('; ')}`,
    `Accept before ${expires}: ${link}`,
    '',
    ...after,
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">
<p>You are moving to the organization <strong>${escapeHtml(org)}</strong>, which ${escapeHtml(inviterOf(inv))} invited you to join. You have left your previous organization; accepting this invitation is the next step of your move.</p>
<p>Your roles in ${escapeHtml(org)}:</p><ul>${roles.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>
<p>Accept before <strong>${escapeHtml(expires)}</strong>: <a href="${escapeHtml(link)}">Accept the invitation and finish the move</a></p>
${after.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
</body></html>`;
  return { to: inv.email, subject, text, html };
}

/** The email at the end of a migration: the outcome, named by its target organization, and where to look. */
export function migrationOutcomeEmail(input: {
  to: string;
  succeeded: boolean;
  targetName: string;
  restoredCount: number;
  error?: string;
  cause?: string;
  link: string;
}) {
  const org = oneLine(input.targetName);
  const lines = input.succeeded
    ? [
        `Your move to ${org} is complete: you are now a member of ${org}.`,
        input.restoredCount
          ? `${input.restoredCount} deployment(s) and project(s) you brought were restored there and verified, and you are their admin.`
          : 'You had no deployments or projects to bring.',
      ]
    : [`Your move to ${org} did not complete (${input.error ?? 'failed'}).`, input.cause ?? ''].filter(
        Boolean,
      );
  const look = `See every step of the move: ${input.link}`;
  return {
    to: input.to,
    subject: input.succeeded ? `Your move to ${org} is complete` : `Your move to ${org} needs your attention`,
    text: [...lines, '', look].join('\n'),
    html: `<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}<p><a href="${escapeHtml(input.link)}">See every step of the move</a></p></body></html>`,
  };
}

export type PageState = 'pending' | 'expired' | 'revoked' | 'accepted' | 'unknown';

const PAGE_TEXT: Record<
  Exclude<PageState, 'pending'>,
  { title: string; body: (inv?: InvitationItem) => string }
> = {
  expired: {
    title: 'This invitation has expired',
    body: (inv) =>
      `It expired ${escapeHtml(humanTime(inv!.expires_at))}. Invitations are valid for a limited time: ask an administrator of ${escapeHtml(inv!.organization_name)} to send you a new invitation.`,
  },
  revoked: {
    title: 'This invitation was withdrawn',
    body: (inv) =>
      `An administrator of ${escapeHtml(inv!.organization_name)} revoked it. If you still want to join, ask an administrator to send you a new invitation.`,
  },
  accepted: {
    title: 'This invitation has already been used',
    body: (inv) =>
      `It was accepted ${escapeHtml(humanTime(inv!.accepted_at ?? inv!.created_at))}. If that was you and you are still a member of ${escapeHtml(inv!.organization_name)}, <a href="${consolePath()}">open the console</a>. If you have since left, or it was not you, ask an administrator to send a new invitation: this one cannot be used again.`,
  },
  unknown: {
    title: 'We could not find this invitation',
    body: () =>
      'Check that you opened the whole link from your email. If it still does not work, ask an administrator to send you a new invitation.',
  },
};

/**
 * The page behind the emailed link. Pending: the invitation, and a "Sign in to accept" button whose script
 * (`web/invitation.ts`, served from `/assets/`) signs in with the provider (authorization code + PKCE), comes back
 * here, shows who signed in and accepts with one click. Other states: a plain page saying what to do next.
 */
export function invitationPage(
  state: PageState,
  inv: InvitationItem | undefined,
  nonce: string,
  oidc: OidcConfig,
): string {
  let main: string;
  let script = '';
  if (state === 'pending' && inv) {
    const roles = describeRoles(inv.role_assignments);
    const invited = escapeHtml(inv.email);
    const org = escapeHtml(inv.organization_name);
    main = `<h1>Join ${escapeHtml(inv.organization_name)}</h1>
<p><strong>${escapeHtml(inviterOf(inv))}</strong> invited <strong id="invited">${invited}</strong> to join the organization <strong id="org">${org}</strong>.</p>
<h2 id="roles-title">Roles offered</h2><ul id="roles">${roles.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>
<p>This invitation expires <strong id="expires">${escapeHtml(humanTime(inv.expires_at))}</strong>.</p>
<div id="signin">
  <p>Sign in as ${invited} to accept.</p>
  <button id="signin-button" type="button">Sign in to accept</button>
</div>
<p id="who" hidden>Signed in as <strong id="who-email"></strong><span id="who-name"></span>. <button id="sign-out" class="link" type="button">Not you?</button></p>
<div id="wrong-account" class="warning" role="alert" hidden>
  <p>This invitation was sent to <strong>${invited}</strong>, not to the account you are signed in with. Sign in as ${invited} to accept it.</p>
  <button id="switch-account" type="button">Sign in with another account</button>
</div>
<div id="unverified" class="warning" role="alert" hidden>
  <p>Verify your email address ${invited} with your identity provider, then sign in again to accept.</p>
  <button id="switch-account-unverified" type="button">Sign in again</button>
</div>
<div id="elsewhere" class="warning" role="alert" hidden>
  <p>You already belong to another organization, <strong id="elsewhere-org"></strong>. You can belong to one organization at a time: to join ${org}, leave <span id="elsewhere-org-again"></span> first, or move to ${org} with your deployments.</p>
  <p><a href="${consolePath('move')}">Move to another organization</a></p>
</div>
<p id="member-here" hidden>You are already a member of ${org}. <a href="${consolePath('members')}">Open ${org} in the console</a></p>
<button id="accept" type="button" hidden>Accept invitation</button>
<p id="result" role="status"></p>
<p id="welcome" hidden><a href="${consolePath('members')}">Open ${org} in the console</a></p>`;
    script = `<script type="application/json" id="auth-config">${jsonForHtml(authConfig(oidc))}</script>
<script type="application/json" id="invitation-data">${jsonForHtml({
      token: inv.token,
      email: inv.email,
      organization: inv.organization_name,
      organization_id: inv.organization_id,
    })}</script>
<script type="module" nonce="${nonce}" src="/assets/invitation.js"></script>`;
  } else {
    const text = PAGE_TEXT[state === 'pending' ? 'unknown' : state];
    main = `<h1>${text.title}</h1><p id="reason">${text.body(inv)}</p>`;
  }
  return htmlPage('Organization invitation', main, nonce, script);
}

/** The page at the redirect URI: its script exchanges the code and goes back where sign-in started. */
export function callbackPage(nonce: string, oidc: OidcConfig): string {
  return htmlPage(
    'Signing in',
    '<h1>Signing in…</h1><p id="status" role="status">One moment.</p>',
    nonce,
    `<script type="application/json" id="auth-config">${jsonForHtml(authConfig(oidc))}</script>
<script type="module" nonce="${nonce}" src="/assets/callback.js"></script>`,
  );
}

const authConfig = (oidc: OidcConfig) => ({
  issuer: oidc.issuer,
  clientId: oidc.clientId,
  ...(oidc.authorizationEndpoint ? { authorizationEndpoint: oidc.authorizationEndpoint } : {}),
  ...(oidc.tokenEndpoint ? { tokenEndpoint: oidc.tokenEndpoint } : {}),
});

/** JSON inside a <script> element: nothing in it can close the element or open a comment. */
const jsonForHtml = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');

function htmlPage(title: string, main: string, nonce: string, scripts = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><link rel="icon" href="data:,"><title>${escapeHtml(title)}</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#0b64dd;color:#fff;cursor:pointer}button:disabled{opacity:.6;cursor:not-allowed}a{color:#0b64dd}button.link{background:none;color:#0b64dd;padding:0;text-decoration:underline}.warning{border-left:4px solid #c77700;background:#fff6e5;padding:.5rem 1rem;margin:1rem 0}[hidden]{display:none!important}</style>
</head><body><main>${main}</main>${scripts}</body></html>`;
}

/**
 * Headers for the service's pages: scripts and styles only with this response's nonce, network calls only to this
 * origin (the API) and the identity provider's (discovery and the token endpoint), never framed or cached.
 */
export const pageHeaders = (nonce: string, oidc: OidcConfig): Record<string, string> => {
  const origins = new Set(
    [oidc.issuer, oidc.tokenEndpoint].filter((u): u is string => !!u).map((u) => new URL(u).origin),
  );
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self' ${[...origins].join(' ')}; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
  };
};
