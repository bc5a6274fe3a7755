/** The page at the redirect URI (`/auth/callback`): finishes sign-in and goes back to the page that started it. */
import { createAuth, pageAuthConfig } from './auth.ts';

const status = document.getElementById('status')!;
try {
  const back = await createAuth(pageAuthConfig()).handleCallback();
  if (back === undefined) {
    status.textContent = 'Nothing to do here: open the page you wanted to sign in to.';
  } else {
    location.replace(back);
  }
} catch (e) {
  const error = e as Error & { error_description?: string; cause?: URLSearchParams };
  const description =
    error.cause instanceof URLSearchParams ? error.cause.get('error_description') : undefined;
  status.textContent = `Sign-in did not finish: ${description ?? error.message}. Go back to the page you came from and sign in again.`;
}
