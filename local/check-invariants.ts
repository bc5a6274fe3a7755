/**
 * `npm run check-invariants [-- --table NAME [--state-machine ARN] [--repair]]`: checks a table and prints every violation;
 * exit 1 if any. Without `--table`, the running `npm start` (from `.local/endpoints.json`); with it, a table reached
 * through the standard AWS settings (a deployed stage with credentials). `--help` lists the options.
 */

import { parseCommand } from './cli.ts';
import { ENDPOINTS_FILE, runningEndpoints } from './endpoints.ts';

const command = {
  name: 'npm run check-invariants --',
  usage: `[--table <name>] [--state-machine <arn>] [--repair]

Checks what the service promises over a whole table (one organization per user, an admin in every organization,
counters equal to what they count, no invitation both consumed and pending, every running migration has a live
execution) and prints every violation. Exit 0 when all hold, 1 on any violation or if the table cannot be read.

Without --table it checks the running \`npm start\`: table, DynamoDB and Step Functions endpoints from
${ENDPOINTS_FILE}. With --table it checks that table through the standard AWS settings (credentials,
AWS_REGION, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SFN), e.g. a deployed stage's TableName output.

Options:
  --table <name>         the table to check
  --state-machine <arn>  also check running migrations against this state machine (without --table: the local one)
  --repair               first write the member lists' keys on memberships stored without them (or with stale
                         ones), each conditioned on the membership's version, then check
  -h, --help             this text`,
  options: {
    table: { type: 'string' },
    'state-machine': { type: 'string' },
    repair: { type: 'boolean', default: false },
  },
} as const;
const { values } = parseCommand(command);

let table = values.table;
let machine = values['state-machine'];
if (!table) {
  const local = runningEndpoints();
  if (typeof local === 'string') {
    console.error(`npm run check-invariants: ${local}, or pass --table <name>.`);
    process.exit(1);
  }
  table = local.tableName;
  machine ??= local.stateMachineArn;
  // Before the clients are imported: they read the standard endpoint settings when created.
  process.env.AWS_REGION = local.region;
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = local.dynamodb;
  process.env.AWS_ENDPOINT_URL_SFN = local.stepFunctions;
}

const { DescribeExecutionCommand } = await import('@aws-sdk/client-sfn');
const { dynamo } = await import('../functions/shared/clients.ts');
const { checkInvariants, scanAll } = await import('../functions/shared/invariants.ts');
const { repairMemberLists } = await import('../functions/members/lists.ts');
const { sfn } = await import('../functions/shared/workflow.ts');
const { executionArnOf } = await import('./arns.ts');

const stateMachine = machine;
let violations: string[];
try {
  if (values.repair) {
    const repaired = await repairMemberLists(dynamo, table, await scanAll(dynamo, table));
    console.log(`Wrote the member lists' keys of ${repaired} membership(s).`);
  }
  violations = await checkInvariants(dynamo, table, {
    ...(stateMachine
      ? {
          executionIsRunning: async (id: string) =>
            (await sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachine, id) })))
              .status === 'RUNNING',
        }
      : {}),
  });
} catch (e) {
  console.error(`Could not check table ${table}: ${(e as Error).message}`);
  process.exit(1);
}
for (const v of violations) console.log(`VIOLATION: ${v}`);
console.log(
  violations.length === 0
    ? `All invariants hold in table ${table}.`
    : `${violations.length} violation(s) in table ${table}.`,
);
process.exit(violations.length === 0 ? 0 : 1);
