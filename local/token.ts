/** `npm run token -- alice@example.com [--name "Alice"] [--unverified] [--operator] [--expires 1h]`: prints a signed dev token. */
import { parseArgs } from 'node:util';
import { loadOrCreateDevKeys, signDevToken } from './jwt.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    unverified: { type: 'boolean', default: false },
    operator: { type: 'boolean', default: false },
    expires: { type: 'string', default: '12h' },
  },
});
const email = positionals[0];
if (!email?.includes('@')) {
  console.error(
    'Usage: npm run -s token -- <email> [--name "Full Name"] [--unverified] [--operator] [--expires 12h]',
  );
  process.exit(2);
}
const keys = await loadOrCreateDevKeys();
process.stdout.write(
  `${await signDevToken(keys, email, { emailVerified: !values.unverified, operator: values.operator, expiresIn: values.expires, ...(values.name ? { name: values.name } : {}) })}\n`,
);
