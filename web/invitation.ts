/**
 * The invitation page's script: sign in with the provider (authorization code + PKCE, `auth.ts`), come back to this
 * invitation, see who you are, accept with one click, and go on to the console. Addresses are compared as the API
 * compares them (trimmed, lower-cased); whether you already belong to an organization comes from
 * `GET /api/v1/users/me`. The API decides in the end: this only spares a refused click and says what to do instead.
 */
import { createAuth, pageAuthConfig } from './auth.ts';

interface InvitationData {
  token: string;
  email: string;
  organization: string;
  organization_id: string;
}

/** Where the signed-in person belongs (`GET /api/v1/users/me`), once asked. */
type Belongs = { id: string; name: string } | null;

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

let belongs: Belongs | undefined;
let accepted = false;

function render(): void {
  const user = auth.currentUser();
  const signedIn = user !== undefined && auth.getAccessToken() !== undefined;
  const email = user?.email?.trim().toLowerCase() ?? '';
  const matches = signedIn && email === invitation.email;
  const verified = matches && user?.email_verified !== false;
  const here = verified && belongs?.id === invitation.organization_id;
  const elsewhere = verified && !!belongs && !here && !accepted;
  $('roles-title').textContent = matches ? 'Your roles' : 'Roles offered';
  show('signin', !signedIn);
  show('who', signedIn);
  show('wrong-account', signedIn && !matches);
  show('unverified', matches && user?.email_verified === false);
  show('elsewhere', elsewhere);
  show('member-here', here && !accepted);
  show('accept', verified && !here && !accepted);
  ($('accept') as HTMLButtonElement).disabled = elsewhere || belongs === undefined;
  show('welcome', accepted);
  if (belongs) {
    $('elsewhere-org').textContent = belongs.name;
    $('elsewhere-org-again').textContent = belongs.name;
  }
  if (signedIn) {
    $('who-email').textContent = user.email ?? user.sub;
    $('who-name').textContent = user.name ? ` (${user.name})` : '';
  }
}

/** Ask where the signed-in person belongs; until the answer, Accept waits (disabled). */
async function loadMembership(): Promise<void> {
  const token = auth.getAccessToken();
  if (!token) return;
  try {
    const res = await fetch('/api/v1/users/me', { headers: { authorization: `Bearer ${token}` } });
    // Unknown (an error): let the accept itself say what is wrong.
    belongs = res.ok ? ((await res.json()) as { organization: Belongs }).organization : null;
  } catch {
    belongs = null;
  }
  render();
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
      accepted = true;
      render();
      return;
    }
    const body = (await res.json().catch(() => ({}))) as { errors?: { code?: string; message?: string }[] };
    result.textContent = body.errors?.[0]?.message ?? `Could not accept the invitation (HTTP ${res.status}).`;
    if (body.errors?.[0]?.code === 'organization.user_organization_already_belongs') {
      // Joined an organization since the page asked: say which, and where to go instead.
      result.textContent = '';
      await loadMembership();
      return;
    }
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
void loadMembership();
