/** The bridge's few HTML pages: asking for a work address, and saying why a sign-in cannot go on. Every value escaped. */
import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../invitations/render.ts';
import type { HttpResponse } from '../shared/http.ts';

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}label{display:block;font-weight:600;margin:.5rem 0 .25rem}input{font-size:1rem;padding:.5rem;width:100%;max-width:22rem;box-sizing:border-box}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#0b64dd;color:#fff;cursor:pointer;margin-top:.75rem}a{color:#0b64dd}';

/** A page: strict CSP (its one style by nonce, forms only to this origin), never framed, never cached. */
function page(status: number, title: string, body: string): HttpResponse {
  const nonce = randomBytes(16).toString('base64');
  return {
    statusCode: status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
    },
    body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`,
  };
}

export const messagePage = (
  status: number,
  title: string,
  message: string,
  next?: { href: string; label: string },
): HttpResponse =>
  page(
    status,
    title,
    `<p>${escapeHtml(message)}</p>${next ? `\n<p><a href="${escapeHtml(next.href)}">${escapeHtml(next.label)}</a></p>` : ''}`,
  );

/** "Your work email": the sign-in's parameters carried as hidden fields, the address as `login_hint`. */
export function emailPage(action: string, params: URLSearchParams, problem?: string): HttpResponse {
  const hidden = [...params]
    .filter(([k]) => k !== 'login_hint')
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return page(
    problem ? 400 : 200,
    'Sign in with single sign-on',
    `${problem ? `<p role="alert">${escapeHtml(problem)}</p>` : "<p>Enter your work email address: we send you to your organization's identity provider.</p>"}
<form method="get" action="${escapeHtml(action)}">${hidden}
<label for="login_hint">Work email</label>
<input id="login_hint" name="login_hint" type="email" autocomplete="email" required value="${escapeHtml(params.get('login_hint') ?? '')}">
<div><button type="submit">Continue</button></div>
</form>`,
  );
}
