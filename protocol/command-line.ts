// Flags of every PatchLens command line: node:util parseArgs in strict mode, with its mistakes turned into one short line.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A flag the command does not know, a flag without its value, or an argument it does not take. */
export class CommandLineError extends Error {
  override name = 'CommandLineError';
}

/**
 * parseArgs with `args` required and strict checking. A value that is a negative number
 * (`--utc-offset -360`) is taken as the value: strict parseArgs would otherwise refuse it as
 * ambiguous, and no flag of ours starts with a digit.
 */
export function parseCommandLine<T extends ParseArgsConfig & { args: string[] }>(config: T): ReturnType<typeof parseArgs<T>> {
  const strictConfig = { ...config, strict: true, args: negativeValuesInline(config.args, config.options ?? {}) };
  try {
    return parseArgs(strictConfig) as ReturnType<typeof parseArgs<T>>;
  } catch (error) {
    throw new CommandLineError(oneLine(error));
  }
}

function negativeValuesInline(args: string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const out: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') return [...out, ...args.slice(index)];
    const next = args[index + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : null;
    if (name !== null && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      index++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** parseArgs explains its errors over several lines; a command prints one. */
function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  let match = /^Option '(?:-\w, )?(--?[^' ]+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(message);
  if (match) return `${match[1]} needs a value`;
  match = /^Option '(?:-\w, )?(--?[^' ]+)' does not take an argument/.exec(message);
  if (match) return `${match[1]} takes no value`;
  match = /^Unknown option '([^']+)'/.exec(message);
  if (match) return `unknown option ${match[1]}`;
  match = /^Unexpected argument '([^']*)'/.exec(message);
  if (match) return `unexpected argument '${match[1]}'`;
  return message.split('\n')[0]!;
}
