/**
 * Signed out: one button to the identity provider, which brings the person back here, and "Sign in with SSO" for
 * people whose organization signs them in through its own identity provider (found by their address's domain).
 */
import { signIn, signInWithSso } from '../auth.ts';
import { field, h, showFieldError } from '../dom.ts';
import { looksLikeEmail } from '../roles.ts';
import { busy, errorBox } from '../ui.ts';

export async function renderSignIn(app: HTMLElement): Promise<void> {
  const errors = errorBox();
  const button = h('button', { type: 'button', class: 'primary' }, 'Sign in');
  button.addEventListener('click', () => busy(button, errors, () => signIn(location.hash)));
  app.append(
    h(
      'main',
      { id: 'main', tabindex: '-1', class: 'narrow' },
      h('h1', {}, 'Organization console'),
      h(
        'p',
        { class: 'lead' },
        'Manage your organization: members, invitations, roles, deployments and moves.',
      ),
      button,
      errors,
      ssoForm(),
    ),
  );
}

function ssoForm(): HTMLElement {
  const email = field(
    'Work email address',
    h('input', { type: 'email', required: true, autocomplete: 'email', name: 'email' }),
    "Your organization's identity provider signs you in.",
  );
  const errors = errorBox();
  const go = h('button', { type: 'submit' }, 'Sign in with SSO');
  const form = h(
    'form',
    { class: 'card sso-signin', 'aria-labelledby': 'sso-title', novalidate: true },
    h('h2', { id: 'sso-title' }, 'Single sign-on'),
    email.wrap,
    errors,
    go,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const address = email.control.value.trim();
    const bad = looksLikeEmail(address) ? undefined : 'Enter your work email address, like name@example.com.';
    showFieldError(email, bad);
    if (bad) return void email.control.focus();
    void busy(go, errors, () => signInWithSso(address, location.hash));
  });
  return form;
}
