/**
 * `npm run dns -- set <name> <value>…`: publishes TXT records on the DNS server `npm start` runs (the one the API's
 * domain verification asks), by writing the records file it reads at every query. `--help` says more.
 */
import { parseCommand, usageError } from './cli.ts';
import { dnsName, readRecords, writeTxt } from './dns.ts';
import { ENDPOINTS_FILE, runningEndpoints } from './endpoints.ts';

const command = {
  name: 'npm run dns --',
  usage: `set <name> <value>… | delete <name> | list

Sets the TXT records the local DNS server (part of \`npm start\`, its address in ${ENDPOINTS_FILE}) answers, at once:
  set <name> <value>…   replace the TXT values of <name> (one record per value)
  delete <name>         remove <name>
  list                  print every name and its values

To claim a domain locally, publish the code \`_generate_verification_code\` gave you, then verify:
  npm run dns -- set _elastic-cloud-verification.acme.test "org-verification=…"
Check it as the API sees it:
  dig @127.0.0.1 -p 8053 TXT _elastic-cloud-verification.acme.test +short`,
  allowPositionals: true,
  options: {},
} as const;

const { positionals } = parseCommand(command);
const [action, name, ...values] = positionals;
const endpoints = runningEndpoints();
if (typeof endpoints === 'string') {
  console.error(`No DNS to set: ${endpoints}.`);
  process.exit(1);
}
const file = endpoints.dnsRecords;
if (!file) {
  console.error('The running `npm start` has no DNS server: restart it with this version.');
  process.exit(1);
}

switch (action) {
  case 'set':
    if (!name || values.length === 0) usageError(command, 'set needs a name and at least one value.');
    writeTxt(file, name, values);
    console.log(
      `${dnsName(name)} TXT ${values.map((v) => JSON.stringify(v)).join(' ')} (served by ${endpoints.dns})`,
    );
    break;
  case 'delete':
    if (!name || values.length) usageError(command, 'delete needs one name.');
    writeTxt(file, name, []);
    console.log(`${dnsName(name)} removed`);
    break;
  case 'list': {
    if (name) usageError(command, `unexpected argument ${name}.`);
    const records = Object.entries(readRecords(file));
    if (records.length === 0) console.log(`No records yet (${endpoints.dns}).`);
    for (const [n, vs] of records) console.log(`${n} TXT ${vs.map((v) => JSON.stringify(v)).join(' ')}`);
    break;
  }
  default:
    usageError(
      command,
      action ? `unknown action ${action}: set, delete or list.` : 'give an action: set, delete or list.',
    );
}
