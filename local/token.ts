/**
 * `npm run -s token -- <email> [options]`: prints an access token for the API, asked of the running local identity
 * provider (`npm start`) through its local-only dev-token grant, so it is signed and shaped exactly as a browser
 * sign-in's. `--help` lists the options.
 */
import { parseCommand, usageError } from './cli.ts';
import { ENDPOINTS_FILE, readEndpoints } from './endpoints.ts';
import { durationSeconds, requestDevToken } from './jwt.ts';

const DEFAULT_ISSUER = 'http://127.0.0.1:3001';

const command = {
  name: 'npm run -s token --',
  usage: `<email> [--name "Full Name"] [--unverified] [--operator] [--expires 12h] [--issuer URL]

Prints a bearer token for <email> that the local gateway accepts, issued by the local identity provider that
\`npm start\` runs (its address from ${ENDPOINTS_FILE}, else ${DEFAULT_ISSUER}) through a grant only that provider
has. The user id (sub) is derived from the address, so the same address is the same user every time, here and on
the provider's sign-in page.

Options:
  --name <text>     the name claim
  --unverified      email_verified: false (accepting an invitation then answers 403)
  --operator        adds the operators group (cognito:groups), which may create bills
  --expires <span>  lifetime, e.g. 90m, 12h, 7d (default 12h); a negative one (-1m) gives an expired token
  --issuer <url>    the provider to ask (default: the running \`npm start\`'s)
  -h, --help        this text

Example:
  TOKEN=$(npm run -s token -- alice@example.com)`,
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    unverified: { type: 'boolean', default: false },
    operator: { type: 'boolean', default: false },
    expires: { type: 'string', default: '12h' },
    issuer: { type: 'string' },
  },
} as const;
const { values, positionals } = parseCommand(command);
const email = positionals[0];
if (!email?.includes('@'))
  usageError(command, email ? `"${email}" is not an email address.` : 'give an email address.');
if (positionals.length > 1) usageError(command, `unexpected argument ${positionals[1]}.`);
if (!durationSeconds(values.expires))
  usageError(command, `--expires ${values.expires}: give a duration such as 90m, 12h or 7d.`);

const from = values.issuer ?? readEndpoints()?.issuer ?? DEFAULT_ISSUER;
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
