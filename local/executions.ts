/**
 * `npm run executions [-- <execution name>]`: the local operator view, like the Step Functions console. Without a
 * name: recent executions, each with how the migration ended and the state it is in or ended in (a cancelled move is
 * SUCCEEDED, in `Migration cancelled`, or ABORTED with `MigrationCancelled`: both read `cancelled`). With one: the
 * states it passed, with status and time. `--help` lists the options.
 */

import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { executionArnOf } from './arns.ts';
import { parseCommand, usageError } from './cli.ts';
import { ENDPOINTS_FILE, runningEndpoints } from './endpoints.ts';
import { stateMachineArnFor } from './stepfunctions.ts';

const command = {
  name: 'npm run executions --',
  usage: `[<execution name>] [--endpoint <url>] [--state-machine <arn>]

Lists the migration workflow's executions on the local Step Functions endpoint, newest first, with the outcome
(succeeded, cancelled, failed: <error>) and the last state entered; with an execution name (the migration id),
shows the states it passed with status and time. The endpoint and state machine come
from ${ENDPOINTS_FILE}, which \`npm start\` writes.

Options:
  --endpoint <url>       another Step Functions endpoint (e.g. http://127.0.0.1:8083)
  --state-machine <arn>  another state machine (default: the local migration workflow)
  -h, --help             this text`,
  allowPositionals: true,
  options: {
    endpoint: { type: 'string' },
    'state-machine': { type: 'string' },
  },
} as const;
const { values, positionals } = parseCommand(command);
if (positionals.length > 1) usageError(command, `unexpected argument ${positionals[1]}.`);
const found = runningEndpoints();
const local = typeof found === 'string' ? undefined : found;
if (!values.endpoint && !local) {
  console.error(`npm run executions: ${found}, or pass --endpoint <url>.`);
  process.exit(1);
}
const endpoint = values.endpoint ?? local!.stepFunctions;
const machine = values['state-machine'] ?? local?.stateMachineArn ?? stateMachineArnFor('migration');
const sfn = new SFNClient({
  endpoint,
  region: machine.split(':')[3] || 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const time = (d?: Date) => (d ? d.toISOString().replace('T', ' ').slice(0, 23) : '');

/** How the migration ended, in a word: the execution's output says it (`{"outcome": ...}`), or its error. */
function outcomeOf(d: DescribeExecutionCommandOutput): string {
  if (d.status === 'RUNNING') return '-';
  if (d.error === 'MigrationCancelled') return 'cancelled'; // stopped after leaving
  if (d.status === 'SUCCEEDED') {
    try {
      const out = JSON.parse(d.output ?? 'null') as { outcome?: unknown } | null;
      if (typeof out?.outcome === 'string') return out.outcome;
    } catch {
      // not JSON: say what the status says
    }
    return 'succeeded';
  }
  return `${(d.status ?? '').toLowerCase().replace('_', ' ')}${d.error ? `: ${d.error}` : ''}`;
}

/** The last state the execution entered: where it is, or the state it ended in. */
async function lastState(executionArn: string): Promise<string> {
  const { events = [] } = await sfn.send(
    new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 20 }),
  );
  return events.find((e) => e.type?.endsWith('StateEntered'))?.stateEnteredEventDetails?.name ?? '';
}

try {
  const name = positionals[0];
  if (!name) {
    const { executions = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machine, maxResults: 50 }),
    );
    if (executions.length === 0)
      console.log('No executions yet. Start a migration with POST /api/v1/migrations.');
    const rows = await Promise.all(
      executions.map(async (e) => {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
        return [
          time(e.startDate),
          e.status ?? '',
          outcomeOf(d),
          await lastState(e.executionArn!),
          e.name ?? '',
        ];
      }),
    );
    if (rows.length) rows.unshift(['started', 'status', 'outcome', 'last state', 'name']);
    const widths = [23, 9, ...[2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length)))];
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  '));
  } else {
    const executionArn = executionArnOf(machine, name);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    console.log(`${d.name}: ${d.status}, ${outcomeOf(d)}${d.error ? `  ${d.error}: ${d.cause}` : ''}`);
    console.log(d.output ? `output: ${d.output}\n` : '');
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
    `Could not read executions from ${endpoint}: ${(e as Error).message}. Is \`npm start\` running?`,
  );
  process.exit(1);
}
