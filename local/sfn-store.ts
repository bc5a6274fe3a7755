/**
 * Executions kept on disk (`npm start -- --data <dir>`), so a restarted local runtime knows them as Step Functions
 * would: finished ones for `npm run executions` and the API, running ones resumed where they were.
 *
 * A running execution resumes at its last top-level state that was entered and not left, with the input it entered
 * with: the state runs again, as a retried task would. That is safe because every task of the migration is idempotent
 * (each records its progress on the migration item and finds it on a second run), and a wait for a callback stores a
 * new task token: an accept that landed while the runtime was down is found by the wait itself (`awaitAcceptance`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Execution, HistoryEvent } from './sfn-definitions.ts';

export type StoredExecution = Omit<Execution, 'abort'>;

export interface ExecutionStore {
  save(exec: Execution): void;
  load(): StoredExecution[];
}

export function executionStore(dir: string): ExecutionStore {
  mkdirSync(dir, { recursive: true });
  const file = (exec: { stateMachineArn: string; name: string }) =>
    join(dir, `${exec.stateMachineArn.split(':').at(-1)}--${exec.name}.json`);
  return {
    save(exec) {
      const { abort: _abort, ...stored } = exec;
      // Whole and renamed into place: a crash leaves the previous state of the file or this one.
      const tmp = `${file(exec)}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(stored));
      renameSync(tmp, file(exec));
    },
    load() {
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as StoredExecution);
    },
  };
}

/**
 * Where a running execution goes on: its last top-level state entered and not left, with that state's input; or, when
 * the last one was left and the next not yet entered, the next state with the output it was left with. Undefined:
 * from the start, with the execution's input.
 */
export function resumePoint(
  states: Record<string, { Next?: string }>,
  events: HistoryEvent[],
): { state: string; input: unknown } | undefined {
  let open: { state: string; input: unknown } | undefined;
  let left: { state: string; output: unknown } | undefined;
  for (const e of events) {
    const entered = e.stateEnteredEventDetails as { name?: string; input?: string } | undefined;
    const exited = e.stateExitedEventDetails as { name?: string; output?: string } | undefined;
    if (e.type.endsWith('StateEntered') && entered?.name && states[entered.name]) {
      open = { state: entered.name, input: JSON.parse(entered.input ?? 'null') };
      left = undefined;
    } else if (e.type.endsWith('StateExited') && exited?.name && exited.name === open?.state) {
      const next = states[exited.name]?.Next;
      left = next ? { state: next, output: JSON.parse(exited.output ?? 'null') } : undefined;
      if (next) open = undefined;
    }
  }
  return open ?? (left && { state: left.state, input: left.output });
}
