/**
 * `npm run token -- alice@example.com [--name "Alice"] [--unverified] [--operator] [--expires 1h] [--issuer URL]`:
 * prints an access token for the API, asked of the running local identity provider (`npm start`) through its
 * local-only dev-token grant, so it is signed and shaped exactly as a browser sign-in's.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { requestDevToken } from './jwt.ts';

const DEFAULT_ISSUER = 'http://127.0.0.1:3001';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    unverified: { type: 'boolean', default: false },
    operator: { type: 'boolean', default: false },
    expires: { type: 'string', default: '12h' },
    issuer: { type: 'string' },
  },
});
const email = positionals[0];
if (!email?.includes('@')) {
  console.error(
    'Usage: npm run -s token -- <email> [--name "Full Name"] [--unverified] [--operator] [--expires 12h] [--issuer URL]',
  );
  process.exit(2);
}

/** The running provider: --issuer, then OIDC_ISSUER, then what `npm start` recorded, then its default port. */
function issuer(): string {
  if (values.issuer) return values.issuer;
  if (process.env.OIDC_ISSUER) return process.env.OIDC_ISSUER;
  const file = '.local/endpoints.json';
  if (existsSync(file)) {
    const recorded = (JSON.parse(readFileSync(file, 'utf8')) as { issuer?: unknown }).issuer;
    if (typeof recorded === 'string') return recorded;
  }
  return DEFAULT_ISSUER;
}

const from = issuer();
try {
  const token = await requestDevToken(from, email, {
    emailVerified: !values.unverified,
    operator: values.operator,
    expiresIn: values.expires,
    ...(values.name ? { name: values.name } : {}),
  });
  process.stdout.write(`${token}\n`);
} catch (e) {
  const reason = (e as Error).cause ? `cannot reach ${from}` : (e as Error).message;
  console.error(`No token: ${reason}. Is \`npm start\` running (the identity provider is part of it)?`);
  process.exit(1);
}
