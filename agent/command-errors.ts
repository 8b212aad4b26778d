// Turns an agent command's failure into one clear stderr line and its exit code (2: configuration or usage, 1: anything else).
import { ConfigError } from './config-error';
import { StateDirBusyError } from './state/lock';

export async function runAgentCommand(command: (argv: string[]) => Promise<number>, argv: string[]): Promise<number> {
  try {
    return await command(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`patchlens-agent: ${message}\n`);
    return error instanceof ConfigError || error instanceof StateDirBusyError ? 2 : 1;
  }
}

/** Sets the exit code from a command's promise; an error that escapes becomes one line and exit 1. */
export function exitWith(code: Promise<number>): void {
  code.then(
    (value) => {
      process.exitCode = value;
    },
    (error: unknown) => {
      process.stderr.write(`patchlens-agent: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
