import { vi } from 'vitest';

/**
 * Every line this process logs from now on (console and, for Powertools' own Console, the raw streams), with logging
 * on at `info`. The test's `afterEach` restores the mocks (`vi.restoreAllMocks()`) and silences logging again.
 */
export function captureLogLines(): string[] {
  const lines: string[] = [];
  const capture = (...args: unknown[]) => void lines.push(args.map(String).join(' '));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
  vi.spyOn(console, 'warn').mockImplementation(capture);
  const write = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(write);
  vi.spyOn(process.stderr, 'write').mockImplementation(write);
  process.env.LOG_LEVEL = 'info';
  return lines;
}
