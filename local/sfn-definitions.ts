/**
 * What the local Step Functions endpoint runs: the definitions in `workflows/`, loaded once, with each Lambda task bound
 * to its handler module (`functions/migrations/tasks.ts`), `.waitForTaskToken` tasks given fresh tokens, and faults a
 * test may inject. The endpoint itself (the JSON protocol, executions, history) is `stepfunctions.ts`.
 */
import { loadHandler } from './handlers.ts';
import './polyfills.ts';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { WORKFLOW_TASKS } from '../functions/migrations/tasks.ts';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
const lambdaArn = (name: string) => `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`;
export const stateMachineArnFor = (name: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;

export type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}
export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: Status;
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
  abort: () => void;
}
export interface Machine {
  arn: string;
  name: string;
  definition: Record<string, unknown>;
  machine: StateMachine;
  taskHandlers: Record<string, (input: unknown) => Promise<unknown>>;
  waitStates: string[];
}

export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type Lambda = (event: unknown, ctx?: unknown) => Promise<unknown>;

/**
 * Faults for tests: the named state's task fails with `error`, before its handler runs or (`after`) once it has run,
 * for `times` calls (default: every call). This lives in the local runtime only; handlers know nothing of it.
 */
export interface Fault {
  error: string;
  times?: number;
  after?: boolean;
}
export type Faults = Map<string, Fault>;

function withFaults(stateName: string, faults: Faults, run: (input: unknown) => Promise<unknown>) {
  return async (input: unknown) => {
    const fault = faults.get(stateName);
    const fire = () => {
      if (!fault) return;
      if (fault.times !== undefined && fault.times-- <= 0) return;
      throw Object.assign(new Error(`Injected fault in "${stateName}"`), { name: fault.error });
    };
    if (!fault?.after) fire();
    const out = await run(input);
    if (fault?.after) fire();
    return out;
  };
}
const loadLambda = (module: string): Promise<Lambda> => loadHandler<Lambda>(module);

/** Every state of a definition, including those inside Map and Parallel states. */
function walkStates(
  def: Record<string, unknown>,
  visit: (name: string, state: Record<string, unknown>) => void,
): void {
  const states = (def.States ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, state] of Object.entries(states)) {
    visit(name, state);
    const inner = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
    if (inner) walkStates(inner, visit);
    for (const branch of (state.Branches ?? []) as Record<string, unknown>[]) walkStates(branch, visit);
  }
}

/** Tokens of tasks waiting for a callback (`.waitForTaskToken`), as Step Functions keeps them. */
export type Waiting = Map<string, { resolve: (output: unknown) => void; reject: (e: Error) => void }>;
/** What `$$.Task.Token` resolves to in the definition; each waiting task replaces it with a fresh token. */
const TOKEN_PLACEHOLDER = '__local_task_token__';

function withTokenPlaceholder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withTokenPlaceholder);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) =>
        k.endsWith('.$') && v === '$$.Task.Token'
          ? [k.slice(0, -2), TOKEN_PLACEHOLDER]
          : [k, withTokenPlaceholder(v)],
      ),
    );
  }
  return value;
}

function replaceToken(value: unknown, token: string): unknown {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((v) => replaceToken(v, token));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceToken(v, token)]));
  }
  return value;
}

export function loadMachine(
  file: string,
  waiting: Waiting,
  taskTimeoutMs: number | undefined,
  faults: Faults,
): Machine {
  const name = basename(file).replace(/\.asl\.json$/, '');
  const substitutions: Record<string, string> = {};
  const moduleByArn = new Map<string, string>();
  for (const [sub, module] of Object.entries(WORKFLOW_TASKS)) {
    substitutions[sub] = lambdaArn(sub.replace(/Arn$/, ''));
    moduleByArn.set(substitutions[sub], module);
  }
  const text = readFileSync(file, 'utf8').replace(
    /\$\{(\w+)\}/g,
    (m, key: string) => substitutions[key] ?? m,
  );
  const definition = JSON.parse(text) as Record<string, unknown>;
  const taskHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const waitStates: string[] = [];
  walkStates(definition, (stateName, state) => {
    if (state.Type === 'Wait') waitStates.push(stateName);
    // aws-local-stepfunctions cannot resolve $$.Task.Token: put the placeholder there, replaced per task below.
    if (state.Parameters) state.Parameters = withTokenPlaceholder(state.Parameters);
    if (state.Type !== 'Task') return;
    const resource = String(state.Resource);
    const direct = moduleByArn.get(resource);
    if (direct) {
      taskHandlers[stateName] = async (input) => (await loadLambda(direct))(input, { functionName: direct });
    } else if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
      const timeoutMs = Math.min(
        Number(state.TimeoutSeconds ?? 31_536_000) * 1000,
        taskTimeoutMs ?? Number.POSITIVE_INFINITY,
      );
      taskHandlers[stateName] = async (input) => {
        const params = input as { FunctionName?: string; Payload?: unknown };
        const module = moduleByArn.get(String(params.FunctionName));
        if (!module) throw new SfnError('States.TaskFailed', `No local handler for ${params.FunctionName}`);
        const token = randomUUID() + randomUUID();
        const result = new Promise<unknown>((resolve, reject) => {
          waiting.set(token, { resolve, reject });
          // Waits shortened locally; the error is the one Step Functions raises.
          if (Number.isFinite(timeoutMs)) {
            setTimeout(
              () => reject(Object.assign(new Error('Task timed out.'), { name: 'States.Timeout' })),
              timeoutMs,
            ).unref();
          }
        }).finally(() => waiting.delete(token));
        result.catch(() => undefined);
        await (await loadLambda(module))(replaceToken(params.Payload, token), { functionName: module });
        return result;
      };
    } else if (resource.startsWith('arn:aws:states:::lambda:invoke')) {
      taskHandlers[stateName] = async (input) => {
        const params = input as { FunctionName?: string; Payload?: unknown };
        const module = moduleByArn.get(String(params.FunctionName));
        if (!module) throw new SfnError('States.TaskFailed', `No local handler for ${params.FunctionName}`);
        return {
          StatusCode: 200,
          Payload: await (await loadLambda(module))(params.Payload, { functionName: module }),
        };
      };
    }
  });
  for (const [stateName, run] of Object.entries(taskHandlers))
    taskHandlers[stateName] = withFaults(stateName, faults, run);
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  return { arn: stateMachineArnFor(name), name, definition, machine, taskHandlers, waitStates };
}

export const stateEventPrefix = (type: string) =>
  type === 'Task' ||
  type === 'Map' ||
  type === 'Parallel' ||
  type === 'Wait' ||
  type === 'Choice' ||
  type === 'Pass' ||
  type === 'Succeed' ||
  type === 'Fail'
    ? type
    : 'Task';
