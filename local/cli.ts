/**
 * Argument parsing shared by the local commands (`npm start`, `token`, `executions`, `check-invariants`, `bench`):
 * `--help`/`-h` prints the usage and exits 0; a mistake (unknown option, missing value, stray argument) prints one
 * line naming it, then the usage, and exits 2. Never a stack trace.
 */
import { writeFileSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>
>;

export interface CommandSpec<O extends Options> {
  /** The command as a person types it, e.g. `npm run executions --`. */
  name: string;
  /** Everything after the first line of `--help`: arguments, options, defaults, examples. */
  usage: string;
  options: O;
  allowPositionals?: boolean;
  args?: string[];
}

export function parseCommand<O extends Options>(spec: CommandSpec<O>): Parsed<O> {
  const options = { ...spec.options, help: { type: 'boolean', short: 'h' } } as const;
  try {
    const parsed = parseArgs({
      args: spec.args ?? process.argv.slice(2),
      options,
      allowPositionals: spec.allowPositionals ?? false,
      strict: true,
    });
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(`${usageText(spec)}\n`);
      process.exit(0);
    }
    return parsed as unknown as Parsed<O>;
  } catch (e) {
    return usageError(spec, describeParseError(e as NodeJS.ErrnoException));
  }
}

/** For a value the parser accepted but the command cannot use (a port that is not a number…). */
export function usageError(spec: Pick<CommandSpec<Options>, 'name' | 'usage'>, message: string): never {
  const firstLine = usageText(spec).split('\n')[0];
  process.stderr.write(
    `${spec.name.replace(/ --$/, '').replace(' -s ', ' ')}: ${message}\n${firstLine}\n(${spec.name} --help says more)\n`,
  );
  process.exit(2);
}

const usageText = (spec: Pick<CommandSpec<Options>, 'name' | 'usage'>) =>
  `Usage: ${spec.name} ${spec.usage.trim()}`;

/** Node's messages are long and suggest `--` tricks; say only what was wrong. */
function describeParseError(e: NodeJS.ErrnoException): string {
  const quoted = /'([^']+)'/.exec(e.message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}.`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = /--[\w-]+/.exec(quoted)?.[0] ?? quoted;
      return e.message.includes('argument missing')
        ? `${option} needs a value.`
        : `${option} takes no value.`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted}.`;
    default:
      return e.message;
  }
}

/** A TCP port from an option's text, or a usage error naming the option. */
export function portOption(
  spec: Pick<CommandSpec<Options>, 'name' | 'usage'>,
  option: string,
  text: string,
): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    usageError(spec, `${option} must be a port number from 1 to 65535, not "${text}".`);
  return port;
}

/**
 * The generated-file commands (`npm run docs`, `npm run client`): write `after` to `file` when it differs, or with
 * `check` only compare and exit 1 when it does. `label` names the file in what is printed.
 */
export function rewriteOrCheck(
  file: string,
  before: string,
  after: string,
  check: boolean,
  label: string,
): void {
  if (check) {
    if (after !== before) {
      console.error(`${label} is out of date; run the command without --check`);
      process.exit(1);
    }
    console.log(`${label}: up to date`);
  } else if (after !== before) {
    writeFileSync(file, after);
    console.log(`${label}: rewritten`);
  } else {
    console.log(`${label}: already up to date`);
  }
}
