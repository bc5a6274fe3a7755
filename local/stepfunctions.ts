/**
 * A local Step Functions endpoint: the AWS JSON 1.0 protocol for the calls our handlers and operators make, executing
 * `workflows/*.asl.json` with aws-local-stepfunctions and running Lambda tasks as the local handler modules.
 * Point `@aws-sdk/client-sfn` (AWS_ENDPOINT_URL_SFN) or `aws stepfunctions --endpoint-url` at it.
 */

import { executionArnOf } from './arns.ts';
import './polyfills.ts';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import {
  type Execution,
  type Faults,
  loadMachine,
  type Machine,
  SfnError,
  stateEventPrefix,
  stateMachineArnFor,
  type Waiting,
} from './sfn-definitions.ts';
import { executionStore, resumePoint } from './sfn-store.ts';

// What the stack, the commands and the tests name from here.
export {
  type Fault,
  type Faults,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  stateMachineArnFor,
} from './sfn-definitions.ts';

export interface SfnOptions {
  port: number;
  workflowsDir?: string;
  /** Every Wait state waits this many milliseconds locally. */
  waitMs?: number;
  /** Tasks waiting for a callback time out after at most this long locally (their TimeoutSeconds otherwise). */
  taskTimeoutMs?: number;
  /** Keep executions in this folder and resume the running ones on start (`local/sfn-store.ts`); in memory when absent. */
  dataDir?: string;
}

export interface RunningSfn {
  endpoint: string;
  machines: Map<string, Machine>;
  faults: Faults;
  /** Resume the executions that were running when the data was last used (call once the task handlers can run). */
  resume(): void;
  stop(): Promise<void>;
}

export async function startStepFunctionsLocal(opts: SfnOptions): Promise<RunningSfn> {
  const dir = opts.workflowsDir ?? resolve(import.meta.dirname, '../workflows');
  const machines = new Map<string, Machine>();
  const waiting: Waiting = new Map();
  const faults: Faults = new Map();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.asl.json'))) {
    const m = loadMachine(join(dir, f), waiting, opts.taskTimeoutMs, faults);
    machines.set(m.arn, m);
  }
  const executions = new Map<string, Execution>();
  const store = opts.dataDir ? executionStore(opts.dataDir) : undefined;
  let stopping = false;

  function startExecution(req: { stateMachineArn?: string; name?: string; input?: string }) {
    const m = machines.get(String(req.stateMachineArn));
    if (!m)
      throw new SfnError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${req.stateMachineArn}'`,
      );
    const name = req.name ?? randomUUID();
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SfnError('InvalidName', `Invalid Name: '${name}'`);
    const inputText = req.input ?? '{}';
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    const executionArn = executionArnOf(stateMachineArnFor(m.name), name);
    const existing = executions.get(executionArn);
    if (existing) {
      // Same name and input while running is idempotent, as in AWS; anything else is a conflict.
      if (existing.input === inputText && existing.status === 'RUNNING')
        return { executionArn, startDate: existing.startDate };
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const exec: Execution = {
      executionArn,
      stateMachineArn: m.arn,
      name,
      status: 'RUNNING',
      startDate: Date.now() / 1000,
      input: inputText,
      events: [],
      abort: () => undefined,
    };
    executions.set(executionArn, exec);
    run(m, exec, input);
    return { executionArn, startDate: exec.startDate };
  }

  /** Runs (or, with `from`, resumes) an execution, recording its history as Step Functions does. */
  function run(m: Machine, exec: Execution, input: unknown, from?: { state: string; input: unknown }) {
    const machine = from
      ? // The same definition, entered at another state (validated already: the states before it are unreachable now)
        new StateMachine({ ...m.definition, StartAt: from.state } as never, {
          validationOptions: { noValidate: true },
        })
      : m.machine;
    const running = machine.run((from ? from.input : input) as never, {
      overrides: {
        taskResourceLocalHandlers: m.taskHandlers as never,
        waitTimeOverrides: Object.fromEntries(m.waitStates.map((s) => [s, opts.waitMs ?? 50])),
      },
      context: {
        Execution: {
          Id: exec.executionArn,
          Name: exec.name,
          Input: input,
          StartTime: new Date(exec.startDate * 1000).toISOString(),
        },
        StateMachine: { Id: m.arn, Name: m.name },
      } as never,
    });
    exec.abort = running.abort;
    const save = () => {
      // A stop (Ctrl-C) aborts what runs in this process: on disk it stays running, to resume on the next start.
      if (store && !stopping) store.save(exec);
    };
    save();
    const push = (type: string, details: Record<string, unknown> = {}, timestamp = Date.now()) => {
      const id = exec.events.length + 1;
      exec.events.push({ id, previousEventId: id - 1, timestamp: timestamp / 1000, type, ...details });
      save();
    };
    void (async () => {
      try {
        for await (const ev of running.eventLogs) {
          const e = ev as unknown as Record<string, unknown> & {
            type: string;
            timestamp: number;
            state?: { name: string; type: string; input?: unknown; output?: unknown };
          };
          const str = (v: unknown) => JSON.stringify(v ?? null);
          switch (e.type) {
            case 'ExecutionStarted':
              if (from) break; // a resumed execution started long ago: its history goes on
              push(
                'ExecutionStarted',
                {
                  executionStartedEventDetails: {
                    input: str(e.input),
                    roleArn: 'arn:aws:iam::000000000000:role/local',
                  },
                },
                e.timestamp,
              );
              break;
            case 'StateEntered':
              push(
                `${stateEventPrefix(e.state!.type)}StateEntered`,
                { stateEnteredEventDetails: { name: e.state!.name, input: str(e.state!.input) } },
                e.timestamp,
              );
              break;
            case 'StateExited':
              push(
                `${stateEventPrefix(e.state!.type)}StateExited`,
                { stateExitedEventDetails: { name: e.state!.name, output: str(e.state!.output) } },
                e.timestamp,
              );
              break;
            case 'StateFailed':
              push(
                'TaskFailed',
                {
                  taskFailedEventDetails: {
                    resourceType: 'lambda',
                    resource: e.state!.name,
                    error: String(e.Error),
                    cause: typeof e.Cause === 'string' ? e.Cause : str(e.Cause),
                  },
                },
                e.timestamp,
              );
              break;
            case 'StateRetried':
              push(
                'TaskStateRetried',
                { stateEnteredEventDetails: { name: e.state!.name, input: str(e.state!.input) } },
                e.timestamp,
              );
              break;
            case 'StateCaught':
              push(
                'TaskStateCaught',
                { stateEnteredEventDetails: { name: e.state!.name, input: str(e.state!.input) } },
                e.timestamp,
              );
              break;
            case 'MapIterationStarted':
            case 'MapIterationSucceeded':
            case 'MapIterationFailed': {
              const parent = e.parentState as { name: string };
              const key = `${e.type.charAt(0).toLowerCase()}${e.type.slice(1)}EventDetails`;
              push(e.type, { [key]: { name: parent.name, index: e.index } }, e.timestamp);
              break;
            }
            default:
              break;
          }
        }
        const output = await running.result;
        exec.status = 'SUCCEEDED';
        exec.output = JSON.stringify(output ?? null);
        push('ExecutionSucceeded', { executionSucceededEventDetails: { output: exec.output } });
      } catch (err) {
        if (exec.status !== 'RUNNING') return;
        const e = err as { name?: string; message?: string; cause?: unknown };
        if (e.name === 'ExecutionAbortedError') {
          exec.status = 'ABORTED';
          push('ExecutionAborted', {
            executionAbortedEventDetails: { error: exec.error, cause: exec.cause },
          });
        } else if (e.name === 'ExecutionTimeoutError') {
          exec.status = 'TIMED_OUT';
          push('ExecutionTimedOut', { executionTimedOutEventDetails: { error: 'States.Timeout' } });
        } else {
          exec.status = 'FAILED';
          // The library wraps what failed in ExecutionError: report the inner error and cause, as AWS does.
          const inner =
            e.name === 'ExecutionError' && e.cause instanceof Error
              ? (e.cause as Error & { cause?: unknown })
              : e;
          exec.error = inner.name ?? 'States.Runtime';
          const cause = inner === e ? (e.cause ?? e.message) : inner.message;
          exec.cause = typeof cause === 'string' ? cause : JSON.stringify(cause);
          push('ExecutionFailed', { executionFailedEventDetails: { error: exec.error, cause: exec.cause } });
        }
      } finally {
        exec.stopDate = Date.now() / 1000;
        save();
      }
    })();
  }

  const describe = (e: Execution) => ({
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate ? { stopDate: e.stopDate } : {}),
    input: e.input,
    ...(e.output !== undefined ? { output: e.output } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
  });
  const find = (arn: unknown) => {
    const e = executions.get(String(arn));
    if (!e) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  };

  const operations: Record<string, (req: Record<string, unknown>) => unknown> = {
    StartExecution: (req) => startExecution(req as never),
    DescribeExecution: (req) => describe(find(req.executionArn)),
    ListExecutions: (req) => {
      const list = [...executions.values()]
        .filter((e) => !req.stateMachineArn || e.stateMachineArn === req.stateMachineArn)
        .filter((e) => !req.statusFilter || e.status === req.statusFilter)
        .sort((a, b) => b.startDate - a.startDate);
      return {
        executions: list.slice(0, Number(req.maxResults) || 100).map((e) => {
          const { input: _i, output: _o, error: _e, cause: _c, ...rest } = describe(e);
          return rest;
        }),
      };
    },
    GetExecutionHistory: (req) => {
      const events = [...find(req.executionArn).events];
      if (req.reverseOrder) events.reverse();
      return { events };
    },
    StopExecution: (req) => {
      const e = find(req.executionArn);
      if (e.status === 'RUNNING') {
        e.error = req.error as string | undefined;
        e.cause = req.cause as string | undefined;
        e.abort();
      }
      return { stopDate: Date.now() / 1000 };
    },
    SendTaskSuccess: (req) => {
      const w = waiting.get(String(req.taskToken));
      if (!w) throw new SfnError('TaskDoesNotExist', 'Task Timed Out or does not exist');
      let output: unknown;
      try {
        output = JSON.parse(String(req.output ?? 'null'));
      } catch {
        throw new SfnError('InvalidOutput', 'Invalid output: not JSON');
      }
      w.resolve(output);
      return {};
    },
    SendTaskFailure: (req) => {
      const w = waiting.get(String(req.taskToken));
      if (!w) throw new SfnError('TaskDoesNotExist', 'Task Timed Out or does not exist');
      w.reject(
        Object.assign(new Error(String(req.cause ?? '')), { name: String(req.error ?? 'States.TaskFailed') }),
      );
      return {};
    },
    SendTaskHeartbeat: (req) => {
      if (!waiting.has(String(req.taskToken)))
        throw new SfnError('TaskDoesNotExist', 'Task Timed Out or does not exist');
      return {};
    },
    ListStateMachines: () => ({
      stateMachines: [...machines.values()].map((m) => ({
        stateMachineArn: m.arn,
        name: m.name,
        type: 'STANDARD',
        creationDate: 0,
      })),
    }),
    DescribeStateMachine: (req) => {
      const m = machines.get(String(req.stateMachineArn));
      if (!m)
        throw new SfnError(
          'StateMachineDoesNotExist',
          `State Machine Does Not Exist: '${req.stateMachineArn}'`,
        );
      return {
        stateMachineArn: m.arn,
        name: m.name,
        status: 'ACTIVE',
        definition: JSON.stringify(m.definition),
        roleArn: 'arn:aws:iam::000000000000:role/local',
        type: 'STANDARD',
        creationDate: 0,
      };
    },
  };

  // Executions from an earlier run on the same data: finished ones as they ended, running ones resumed by `resume()`.
  const toResume: Execution[] = [];
  for (const stored of store?.load() ?? []) {
    const exec: Execution = { ...stored, abort: () => undefined };
    executions.set(exec.executionArn, exec);
    if (exec.status === 'RUNNING') toResume.push(exec);
  }
  const resume = () => {
    for (const exec of toResume.splice(0)) {
      const m = machines.get(exec.stateMachineArn);
      if (!m) continue;
      const states = (m.definition.States ?? {}) as Record<string, { Next?: string }>;
      run(m, exec, JSON.parse(exec.input), resumePoint(states, exec.events));
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.replace(/^AWSStepFunctions\./, '');
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(body));
      };
      try {
        const fn = operations[op];
        if (!fn)
          throw new SfnError(
            'UnknownOperationException',
            `Operation ${op || '(none)'} is not supported by the local endpoint`,
          );
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        reply(200, fn(body));
      } catch (e) {
        if (e instanceof SfnError) reply(400, { __type: e.type, message: e.message });
        else reply(500, { __type: 'InternalFailure', message: (e as Error).message });
      }
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port, '127.0.0.1', () => ok());
  });
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    machines,
    faults,
    resume,
    stop: () =>
      new Promise((ok) => {
        stopping = true;
        for (const e of executions.values()) if (e.status === 'RUNNING') e.abort();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
