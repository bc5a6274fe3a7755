/** `npm run -s token -- <email> [options]`: prints a signed dev token. `--help` lists the options. */
import { parseCommand, usageError } from './cli.ts';
import { ENDPOINTS_FILE, readEndpoints } from './endpoints.ts';
import { DEFAULT_KEY_FILE, loadOrCreateDevKeys, signDevToken } from './jwt.ts';

const command = {
  name: 'npm run -s token --',
  usage: `<email> [--name "Full Name"] [--unverified] [--operator] [--expires 12h]

Prints a bearer token for <email> that the local gateway accepts, signed with the key \`npm start\` verifies with
(from ${ENDPOINTS_FILE}, else ${DEFAULT_KEY_FILE}). The user id (sub) is derived from the address, so the same
address is the same user every time.

Options:
  --name <text>     the name claim
  --unverified      email_verified: false (accepting an invitation then answers 403)
  --operator        adds the operators group (cognito:groups), which may create bills
  --expires <span>  lifetime, e.g. 90m, 12h, 7d (default 12h)
  -h, --help        this text

Example:
  TOKEN=$(npm run -s token -- alice@example.com)`,
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    unverified: { type: 'boolean', default: false },
    operator: { type: 'boolean', default: false },
    expires: { type: 'string', default: '12h' },
  },
} as const;
const { values, positionals } = parseCommand(command);
const email = positionals[0];
if (!email?.includes('@'))
  usageError(command, email ? `"${email}" is not an email address.` : 'give an email address.');
if (positionals.length > 1) usageError(command, `unexpected argument ${positionals[1]}.`);
const keys = await loadOrCreateDevKeys(readEndpoints()?.jwtKeyFile ?? DEFAULT_KEY_FILE);
let token: string;
try {
  token = await signDevToken(keys, email, {
    emailVerified: !values.unverified,
    operator: values.operator,
    expiresIn: values.expires,
    ...(values.name ? { name: values.name } : {}),
  });
} catch (e) {
  const message = (e as Error).message;
  if (/time period/i.test(message)) usageError(command, `--expires ${values.expires}: ${message}.`);
  console.error(`Could not sign a token: ${message}`);
  process.exit(1);
}
process.stdout.write(`${token}\n`);
