/** Signed out: one button to the identity provider (or, in a bare local run without one, a pasted token). */
import { hasProvider, signIn, useToken } from '../auth.ts';
import { field, h } from '../dom.ts';
import { navigate } from '../router.ts';
import { busy, errorBox } from '../ui.ts';

export async function renderSignIn(app: HTMLElement): Promise<void> {
  const errors = errorBox();
  const main = h('main', { id: 'main', tabindex: '-1', class: 'narrow' });
  main.append(
    h('h1', {}, 'Organization console'),
    h(
      'p',
      { class: 'lead' },
      'Manage your organization: members, invitations, roles, deployments and moves.',
    ),
  );
  if (hasProvider()) {
    const button = h('button', { type: 'button', class: 'primary' }, 'Sign in');
    button.addEventListener('click', () => busy(button, errors, () => signIn(location.hash)));
    main.append(button, errors);
  } else {
    const token = field(
      'Sign-in token',
      h('textarea', { rows: 3, autocomplete: 'off', spellcheck: 'false' }),
      'No identity provider is configured. Paste a token from: npm run -s token -- you@example.com',
    );
    const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
    const form = h('form', { class: 'card' }, token.wrap, errors, button);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      errors.reset();
      if (!useToken(token.control.value)) errors.show(new Error('This is not a valid, unexpired token.'));
      else navigate('#/');
    });
    main.append(form);
  }
  app.append(main);
}
