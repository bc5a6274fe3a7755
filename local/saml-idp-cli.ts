/**
 * `npm run saml-idp -- set <email> --groups a,b`: edits the users of the SAML identity provider `npm start` runs, by
 * writing the users file it reads at every request (as `npm run dns` does for DNS records). `--help` says more.
 */
import { parseCommand, usageError } from './cli.ts';
import { ENDPOINTS_FILE, runningEndpoints } from './endpoints.ts';
import { deleteUser, parseGroups, readUsers, type SamlIdpUser, setUser } from './saml-idp.ts';

const command = {
  name: 'npm run saml-idp --',
  usage: `set <email> [--groups <a,b>] [--name <name>] [--name-id <id>] | delete <email> | list

Edits the users of the local SAML identity provider (part of \`npm start\`, its address in ${ENDPOINTS_FILE}); the next
sign-in sees the change at once. Its page (samlIdp.url in ${ENDPOINTS_FILE}) does the same.
  set <email>       add the user, or replace their groups (and name, when given)
    --groups <a,b>  their groups, comma-separated (none when absent)
    --name <name>   their display name
    --name-id <id>  their persistent NameID (default: a stable id derived from the email)
  delete <email>    remove the user
  list              print every user: email, NameID, name, groups

For example:
  npm run saml-idp -- set dev@acme.test --groups engineers,admins --name "Dev One"`,
  allowPositionals: true,
  options: {
    groups: { type: 'string' },
    name: { type: 'string' },
    'name-id': { type: 'string' },
  },
} as const;

const { positionals, values } = parseCommand(command);
const [action, email, ...extra] = positionals;
if (extra.length) usageError(command, `unexpected argument ${extra[0]}.`);
const endpoints = runningEndpoints();
if (typeof endpoints === 'string') {
  console.error(`No SAML identity provider to edit: ${endpoints}.`);
  process.exit(1);
}
const file = endpoints.samlIdp?.usersFile;
if (!file) {
  console.error('The running `npm start` has no SAML identity provider: restart it with this version.');
  process.exit(1);
}

const describe = (u: SamlIdpUser) =>
  `${u.email}  nameId=${u.nameId}${u.name ? `  name=${JSON.stringify(u.name)}` : ''}  groups=${u.groups.join(',') || '(none)'}`;

switch (action) {
  case 'set': {
    if (!email) usageError(command, 'set needs an email address.');
    try {
      const user = setUser(file, {
        email,
        groups: parseGroups(values.groups ?? ''),
        ...(values.name !== undefined ? { name: values.name } : {}),
        ...(values['name-id'] !== undefined ? { nameId: values['name-id'] } : {}),
      });
      console.log(describe(user));
    } catch (e) {
      usageError(command, (e as Error).message);
    }
    break;
  }
  case 'delete':
    if (!email) usageError(command, 'delete needs an email address.');
    if (!deleteUser(file, email)) {
      console.error(`There is no user ${email}.`);
      process.exit(1);
    }
    console.log(`${email} removed`);
    break;
  case 'list': {
    if (email) usageError(command, `unexpected argument ${email}.`);
    const users = readUsers(file);
    if (users.length === 0) console.log(`No users yet (${endpoints.samlIdp?.url}).`);
    for (const u of users) console.log(describe(u));
    break;
  }
  default:
    usageError(
      command,
      action ? `unknown action ${action}: set, delete or list.` : 'give an action: set, delete or list.',
    );
}
