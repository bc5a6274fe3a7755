/** Signed out: one button to the identity provider, which brings the person back here. */
import { signIn } from '../auth.ts';
import { h } from '../dom.ts';
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
    ),
  );
}
