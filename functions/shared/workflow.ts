import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { executionArnOf } from './arns.ts';
import { stateMachineArn } from './config.ts';
import type { Callbacks, Deps } from './deps.ts';
import { log } from './log.ts';

/** Resumes or fails a Step Functions execution waiting on a task token. */
export interface WorkflowCallbacks {
  /** Start the migration state machine; the execution name is the migration id, so a repeated start is idempotent. */
  start(name: string, input: unknown): Promise<void>;
  resume(taskToken: string, output: unknown): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
  /** Stop the execution named `name` (a stopped or finished one stays as it is). */
  stop(name: string, error: string, cause: string): Promise<void>;
}

const ignorable = (e: unknown) =>
  ['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken'].includes((e as Error)?.name);

/** Endpoint from the standard setting (AWS_ENDPOINT_URL_SFN), so local runs need no code path of their own. */
export const sfn = new SFNClient({ maxAttempts: 3 });

export const sfnCallbacks: WorkflowCallbacks = {
  async start(name, input) {
    await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn(), name, input: JSON.stringify(input) }),
    );
  },
  async resume(taskToken, output) {
    try {
      await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    } catch (e) {
      // The wait already ended (timed out or stopped): the accept itself stands.
      if (!ignorable(e)) throw e;
      log('warn', 'workflow wait already ended', { error: (e as Error).name });
    }
  },
  async fail(taskToken, error, cause) {
    try {
      await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
    } catch (e) {
      if (!ignorable(e)) throw e;
    }
  },
  async stop(name, error, cause) {
    await sfn.send(
      new StopExecutionCommand({ executionArn: executionArnOf(stateMachineArn(), name), error, cause }),
    );
  },
};

/** The handler's deps plus the Step Functions callbacks. */
export const withWorkflow = (deps: Deps): Deps & Callbacks => ({ ...deps, workflow: sfnCallbacks });
