/**
 * `npm run executions [-- <execution name>] [--endpoint URL]`: the local operator view, like the Step Functions
 * console. Without a name: recent executions. With one: the states it passed, with status and time.
 */

import { parseArgs } from 'node:util';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { executionArnOf } from './arns.ts';
import { stateMachineArnFor } from './stepfunctions.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    endpoint: { type: 'string', default: process.env.AWS_ENDPOINT_URL_SFN ?? 'http://127.0.0.1:8083' },
  },
});
const sfn = new SFNClient({
  endpoint: values.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const machine = stateMachineArnFor('migration');
const time = (d?: Date) => (d ? d.toISOString().replace('T', ' ').slice(0, 23) : '');

try {
  const name = positionals[0];
  if (!name) {
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machine, maxResults: 50 }),
    );
    if (executions.length === 0)
      console.log('No executions yet. Start a migration with POST /api/v1/migrations.');
    for (const e of executions) console.log(`${time(e.startDate)}  ${(e.status ?? '').padEnd(9)}  ${e.name}`);
  } else {
    const executionArn = executionArnOf(machine, name);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    console.log(`${d.name}: ${d.status}${d.error ? `  ${d.error}: ${d.cause}` : ''}\n`);
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    for (const e of events) {
      const detail =
        e.stateEnteredEventDetails?.name ??
        e.stateExitedEventDetails?.name ??
        e.taskFailedEventDetails?.resource ??
        '';
      const error = e.taskFailedEventDetails ? `  ${e.taskFailedEventDetails.error}` : '';
      console.log(
        `${String(e.id).padStart(3)}  ${time(e.timestamp)}  ${(e.type ?? '').padEnd(22)}  ${detail}${error}`,
      );
    }
  }
} catch (e) {
  console.error(
    `Could not read executions from ${values.endpoint}: ${(e as Error).message}. Is \`npm start\` running?`,
  );
  process.exit(1);
}
