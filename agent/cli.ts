// Agent command line: `npm run agent -- <command> …` (scan, enroll, once, run, install, uninstall).
import { runScanCommand } from './commands/scan';

const USAGE = `usage: patchlens-agent <command> [options]

commands:
  scan PATH... [--json]     parse CBS.log / CbsPersist_*.log / CheckSUR.log files or folders
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'scan':
      return runScanCommand(rest);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`patchlens-agent: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`patchlens-agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
