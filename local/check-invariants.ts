/**
 * `npm run check-invariants -- --table NAME [--state-machine ARN]`: checks a table (local or, with AWS credentials,
 * deployed; endpoints from the standard AWS_ENDPOINT_URL_* settings) and prints every violation. Exit 1 if any.
 */

import { parseArgs } from 'node:util';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { dynamo } from '../functions/shared/clients.ts';
import { checkInvariants } from '../functions/shared/invariants.ts';
import { sfn } from '../functions/shared/workflow.ts';
import { executionArnOf } from './arns.ts';

const { values } = parseArgs({ options: { table: { type: 'string' }, 'state-machine': { type: 'string' } } });
if (!values.table) {
  console.error('Usage: npm run check-invariants -- --table <name> [--state-machine <arn>]');
  process.exit(2);
}
const machine = values['state-machine'];
const violations = await checkInvariants(dynamo, values.table, {
  ...(machine
    ? {
        executionIsRunning: async (id: string) => {
          return (
            (await sfn.send(new DescribeExecutionCommand({ executionArn: executionArnOf(machine, id) })))
              .status === 'RUNNING'
          );
        },
      }
    : {}),
});
for (const v of violations) console.log(`VIOLATION: ${v}`);
console.log(violations.length === 0 ? 'All invariants hold.' : `${violations.length} violation(s).`);
process.exit(violations.length === 0 ? 0 : 1);
