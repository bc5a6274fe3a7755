/** `npm start`: the whole service on this machine, no AWS account. `npm start -- --help` lists the options. */
import { resolve } from 'node:path';
import { parseCommand, portOption } from './cli.ts';
import { ENDPOINTS_FILE, removeEndpoints, writeEndpoints } from './endpoints.ts';
import { freePort, PortInUseError } from './ports.ts';
import { seed } from './seed.ts';
import { startLocalStack } from './stack.ts';

const command = {
  name: 'npm start --',
  usage: `[--seed] [--data <dir>] [--port 3000] [--dynamodb-port 8000] [--ses-port 8005] [--sfn-port 8083] [--oidc-port 3001] [--dns-port 8053] [--saml-idp-port 3002] [--kms-port 8006]

Starts DynamoDB Local, a local SES v2, a local Step Functions endpoint, an OpenID Connect provider, a DNS server, a
SAML identity provider, a local KMS and the HTTP API gateway in one process,
and records what it bound in ${ENDPOINTS_FILE} (read by \`npm run executions\`, \`token\`, \`dns\`, \`saml-idp\` and
\`check-invariants\`).
Ctrl-C stops everything.

Options:
  --seed                 add an organization "Acme" owned by alice@example.com, with two deployments and a project
  --data <dir>           keep the data in <dir> across restarts: the table and its stream, the outbox's position, the
                         migrations' executions (a running one resumes where it was) and the KMS signing key. The
                         mailbox stays in memory.
                         Without it everything is in memory and gone at Ctrl-C.
  --port <port>          the HTTP API (default 3000, or $PORT)
  --dynamodb-port <port> DynamoDB Local (default 8000)
  --ses-port <port>      the local SES v2 and its mailbox (default 8005)
  --sfn-port <port>      the local Step Functions endpoint (default 8083)
  --oidc-port <port>     the OpenID Connect provider and its sign-in page (default 3001)
  --dns-port <port>      the DNS server (UDP and TCP) that domain verification asks; set its TXT records with
                         \`npm run dns -- set <name> <value>\` (default 8053)
  --saml-idp-port <port> the SAML 2.0 identity provider and its pages; edit its users there or with
                         \`npm run saml-idp -- set <email>\` (default 3002)
  --kms-port <port>      the local KMS holding the SSO bridge's signing key (default 8006)
  -h, --help             this text`,
  options: {
    seed: { type: 'boolean', default: false },
    data: { type: 'string' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'dynamodb-port': { type: 'string', default: '8000' },
    'ses-port': { type: 'string', default: '8005' },
    'sfn-port': { type: 'string', default: '8083' },
    'oidc-port': { type: 'string', default: '3001' },
    'dns-port': { type: 'string', default: '8053' },
    'saml-idp-port': { type: 'string', default: '3002' },
    'kms-port': { type: 'string', default: '8006' },
  },
} as const;
const { values } = parseCommand(command);
const optionOf = {
  gateway: '--port',
  dynamodb: '--dynamodb-port',
  ses: '--ses-port',
  sfn: '--sfn-port',
  oidc: '--oidc-port',
  dns: '--dns-port',
  samlIdp: '--saml-idp-port',
  kms: '--kms-port',
};

const started = Date.now();
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({
    ...(values.data ? { dataDir: resolve(values.data) } : {}),
    ports: {
      gateway: portOption(command, '--port', values.port),
      dynamodb: portOption(command, '--dynamodb-port', values['dynamodb-port']),
      ses: portOption(command, '--ses-port', values['ses-port']),
      sfn: portOption(command, '--sfn-port', values['sfn-port']),
      oidc: portOption(command, '--oidc-port', values['oidc-port']),
      dns: portOption(command, '--dns-port', values['dns-port']),
      samlIdp: portOption(command, '--saml-idp-port', values['saml-idp-port']),
      kms: portOption(command, '--kms-port', values['kms-port']),
    },
  });
} catch (e) {
  const hint =
    e instanceof PortInUseError
      ? ` For example: npm start -- ${optionOf[e.piece as keyof typeof optionOf]} ${await freePort()} (free now)`
      : '';
  console.error(`\nCould not start the local stack: ${(e as Error).message}${hint}\n`);
  process.exit(1);
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(
    `\n${signal}: stopping DynamoDB Local, SES, Step Functions, the identity providers, DNS, KMS and the gateway...`,
  );
  removeEndpoints();
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

if (values.seed) {
  const s = await seed();
  console.log(`Seeded organization "${s.orgName}" (${s.orgId}) with admin ${s.adminEmail}.`);
}

const api = stack.apiUrl;
writeEndpoints({
  api: `${api}/api/v1`,
  gateway: api,
  region: process.env.AWS_REGION ?? 'us-east-1',
  dynamodb: stack.dynamoEndpoint,
  tableName: stack.tableName,
  ses: stack.sesEndpoint,
  mailbox: `${stack.sesEndpoint}/store`,
  stepFunctions: stack.sfnEndpoint,
  stateMachineArn: stack.stateMachineArn,
  issuer: stack.issuer,
  dns: stack.dns.resolver,
  dnsRecords: resolve(stack.dns.recordsFile),
  samlIdp: {
    url: stack.samlIdp.url,
    issuer: stack.samlIdp.issuer,
    ssoUrl: stack.samlIdp.ssoUrl,
    metadata: `${stack.samlIdp.url}/metadata`,
    certificate: stack.samlIdp.certificatePem,
    usersFile: resolve(stack.samlIdp.usersFile),
  },
  kms: stack.kms.endpoint,
  ssoSigningKeyId: stack.kms.keyId,
  pid: process.pid,
  startedAt: new Date().toISOString(),
});
console.log(`
Organization membership service is running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  Console        ${stack.consoleUrl}
  API            ${api}/api/v1            (health: ${api}/api/v1/health)
  Mailbox        ${stack.sesEndpoint}/          (JSON: ${stack.sesEndpoint}/store)
  Step Functions ${stack.sfnEndpoint}           (state machine ${stack.stateMachineArn})
  DynamoDB Local ${stack.dynamoEndpoint}           (table: ${stack.tableName})
  Sign-in        ${stack.issuer}           (OpenID Connect provider; discovery: ${stack.issuer}/.well-known/openid-configuration)
  DNS            ${stack.dns.resolver}           (domain verification's TXT records: npm run dns -- set <name> <value>)
  SAML IdP       ${stack.samlIdp.url}/           (users: npm run saml-idp -- set <email> --groups a,b; metadata: ${stack.samlIdp.url}/metadata)
  KMS            ${stack.kms.endpoint}           (the SSO bridge's signing key: ${stack.kms.keyId})

${values.data ? `Data kept in ${resolve(values.data)} (tables, the outbox's position, executions, the KMS key): a restart with the same --data goes on from it.\n\n` : ''}All of this is in ${ENDPOINTS_FILE}; \`npm run executions\`, \`npm run token\`, \`npm run dns\`, \`npm run saml-idp\` and
\`npm run check-invariants\` read it.

Invitation links in the mailbox open a page that signs you in on the local provider (any address, no password).
For scripts, ask the provider for an access token:
  TOKEN=$(npm run -s token -- alice@example.com)

Try it:
  curl -s -X POST ${api}/api/v1/organizations -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"Acme"}'
  curl -s ${api}/api/v1/organizations -H "Authorization: Bearer $TOKEN"

Ctrl-C stops everything.
`);
