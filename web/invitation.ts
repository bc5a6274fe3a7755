/**
 * The invitation page's script: sign in with the provider (authorization code + PKCE, `auth.ts`), come back to this
 * invitation, see who you are, accept with one click. Addresses are compared as the API compares them (trimmed,
 * lower-cased); the API decides in the end, this only spares a refused click.
 */
import { createAuth, pageAuthConfig } from './auth.ts';

interface InvitationData {
  token: string;
  email: string;
  organization: string;
}

const $ = (id: string) => document.getElementById(id)!;
const show = (id: string, visible = true) => {
  $(id).hidden = !visible;
};

const invitation = JSON.parse($('invitation-data').textContent ?? '{}') as InvitationData;
const auth = createAuth(pageAuthConfig());
const here = location.pathname;

const signIn = (switchAccount: boolean) => {
  auth.signOut();
  auth.signIn({ returnTo: here, loginHint: invitation.email, switchAccount }).catch((e: Error) => {
    $('result').textContent = `Could not reach the sign-in page: ${e.message}`;
  });
};

function render(): void {
  const user = auth.currentUser();
  const signedIn = user !== undefined && auth.getAccessToken() !== undefined;
  const email = user?.email?.trim().toLowerCase() ?? '';
  const matches = signedIn && email === invitation.email;
  show('signin', !signedIn);
  show('who', signedIn);
  show('wrong-account', signedIn && !matches);
  show('unverified', matches && user?.email_verified === false);
  show('accept', matches && user?.email_verified !== false);
  if (signedIn) {
    $('who-email').textContent = user.email ?? user.sub;
    $('who-name').textContent = user.name ? ` (${user.name})` : '';
  }
}

$('signin-button').addEventListener('click', () => signIn(false));
for (const id of ['switch-account', 'switch-account-unverified', 'sign-out']) {
  $(id).addEventListener('click', () => signIn(true));
}
$('accept').addEventListener('click', async () => {
  const token = auth.getAccessToken();
  if (!token) return render();
  const button = $('accept') as HTMLButtonElement;
  const result = $('result');
  button.disabled = true;
  result.textContent = 'Accepting…';
  try {
    const res = await fetch(
      `/api/v1/organizations/invitations/${encodeURIComponent(invitation.token)}/_accept`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      },
    );
    if (res.ok) {
      result.textContent = `Welcome! You are now a member of ${invitation.organization}.`;
      button.hidden = true;
      return;
    }
    const body = (await res.json().catch(() => ({}))) as { errors?: { message?: string }[] };
    result.textContent = body.errors?.[0]?.message ?? `Could not accept the invitation (HTTP ${res.status}).`;
    if (res.status === 401) {
      auth.signOut();
      render();
    }
  } catch {
    result.textContent = 'Network error: check your connection and try again.';
  }
  button.disabled = false;
});

render();
