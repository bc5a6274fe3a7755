/**
 * The local providers' plain HTML pages (the OpenID Connect sign-in page, the SAML IdP's pages): escaping, one page
 * shell with a strict Content-Security-Policy (a nonce for the one style and, where a page needs it, one script), and
 * reading a small form body.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text safe in HTML content and in attribute values of either quote. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

export const newNonce = (): string => randomBytes(16).toString('base64');

export interface PageOptions {
  /** Another origin forms on the page may post to (form-action also governs the redirects after a post). */
  formTarget?: string;
  /** An inline script, run under the page's nonce. */
  script?: string;
  /** More CSS after the shared rules. */
  style?: string;
  /** The page's width (default 24rem). */
  width?: string;
}

export function page(title: string, main: string, nonce: string, opts: PageOptions = {}) {
  const script = opts.script ? ` script-src 'nonce-${nonce}';` : '';
  return {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none';${script} style-src 'nonce-${nonce}'; img-src data:; form-action 'self'${opts.formTarget ? ` ${opts.formTarget}` : ''}; base-uri 'none'; frame-ancestors 'none'`,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    },
    body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${escapeHtml(title)} · local identity provider</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:${opts.width ?? '24rem'};margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}label{display:block;margin-top:1rem}input[type=email],input[type=text]{display:block;width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}.check{display:flex;gap:.5rem;align-items:center}button{margin-top:1.5rem;font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:0;background:#0b64dd;color:#fff;cursor:pointer}.note{color:#555}#error{color:#b00020}${opts.style ?? ''}</style>
</head><body><main>${main}</main>${opts.script ? `<script nonce="${nonce}">${opts.script}</script>` : ''}</body></html>`,
  };
}

export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string,
): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'x-content-type-options': 'nosniff', ...headers });
  res.end(body);
}

export function readBody(req: IncomingMessage, limit = 16_384): Promise<string> {
  return new Promise((ok, fail) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      text += c;
      if (text.length > limit) req.destroy(new Error('The form is too large.'));
    });
    req.on('end', () => ok(text));
    req.on('error', fail);
  });
}
