/** `npm start`: the whole service on this machine, no AWS account. `npm start -- --seed` adds demo data. */
import { parseArgs } from 'node:util';
import { seed } from './seed.ts';
import { startLocalStack } from './stack.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'dynamodb-port': { type: 'string', default: '8000' },
    'ses-port': { type: 'string', default: '8005' },
    'sfn-port': { type: 'string', default: '8083' },
    'oidc-port': { type: 'string', default: '3001' },
  },
});

const started = Date.now();
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({
    ports: {
      gateway: Number(values.port),
      dynamodb: Number(values['dynamodb-port']),
      ses: Number(values['ses-port']),
      sfn: Number(values['sfn-port']),
      oidc: Number(values['oidc-port']),
    },
  });
} catch (e) {
  console.error(`\nCould not start the local stack: ${(e as Error).message}\n`);
  process.exit(1);
}

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(
    `\n${signal}: stopping DynamoDB Local, SES, Step Functions, the identity provider and the gateway...`,
  );
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
console.log(`
Organization membership service is running locally (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)

  Console        ${stack.consoleUrl}
  API            ${api}/api/v1            (health: ${api}/api/v1/health)
  Mailbox        ${stack.sesEndpoint}/          (JSON: ${stack.sesEndpoint}/store)
  Step Functions ${stack.sfnEndpoint}           (aws stepfunctions list-executions --endpoint-url ${stack.sfnEndpoint} --state-machine-arn ${process.env.STATE_MACHINE_ARN})
  DynamoDB Local ${stack.dynamoEndpoint}           (table: ${stack.tableName})
  Sign-in        ${stack.issuer}           (OpenID Connect provider; discovery: ${stack.issuer}/.well-known/openid-configuration)

Invitation links in the mailbox open a page that signs you in on the local provider (any address, no password).
For scripts, ask the provider for an access token:
  TOKEN=$(npm run -s token -- alice@example.com)

Try it:
  curl -s -X POST ${api}/api/v1/organizations -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"Acme"}'
  curl -s ${api}/api/v1/organizations -H "Authorization: Bearer $TOKEN"

Ctrl-C stops everything.
`);
