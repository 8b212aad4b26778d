// Agent command line: `npm run agent -- <command> …` (scan, enroll, once, run, install, uninstall).
import { runScanCommand } from './commands/scan';
import { ConfigError } from './config';
import { defaultEnvironment } from './commands/common';
import { runEnrollCommand } from './commands/enroll';
import { runOnceCommand } from './commands/once';
import { runRunCommand } from './commands/run';
import { runInstallCommand, runUninstallCommand } from './commands/install';
import { StateDirBusyError } from './state/lock';

const USAGE = `usage: patchlens-agent <command> [options]

commands:
  scan PATH... [--json]     parse CBS.log / CbsPersist_*.log / CheckSUR.log files or folders
  enroll --server URL --secret SECRET
                            exchange the fleet enrollment secret for this device's key
  once                      one collect-and-ship cycle (exit 0 when delivered or safely spooled)
  run                       the long-running agent: schedule, folder watch, spool, retries
  install [--dry-run]       run the agent as SYSTEM at boot (scheduled task / systemd unit)
  uninstall [--dry-run]     remove that registration

options for enroll, once, run, install:
  --config FILE             JSON config (server, caBundle, schedule, logsDir, stateDir,
                            spoolLimitBytes, proxy, enrollmentSecret, ...); flags override it
  --state-dir DIR           default %ProgramData%\\PatchLens or /var/lib/patchlens
  --logs DIR                default %windir%\\Logs\\CBS (required elsewhere)
  --server URL              https://... (http:// only for loopback or with --allow-http)
  --secret SECRET           enrollment secret (also enables re-enrollment after a revoked key)
  --device-id ID, --hostname NAME
                            override the detected identity
  --ca-bundle FILE, --proxy URL, --schedule CRON, --spool-limit SIZE, --log-level LEVEL
`;

/** Agent commands that share configuration and state; errors become one clear line and an exit code. */
async function runAgentCommand(command: (argv: string[]) => Promise<number>, argv: string[]): Promise<number> {
  try {
    return await command(argv);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`patchlens-agent: ${message}\n`);
    return error instanceof ConfigError || error instanceof StateDirBusyError ? 2 : 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'scan':
      return runScanCommand(rest);
    case 'enroll':
      return runAgentCommand((argv) => runEnrollCommand(argv, defaultEnvironment()), rest);
    case 'once':
      return runAgentCommand((argv) => runOnceCommand(argv, defaultEnvironment()), rest);
    case 'run':
      return runAgentCommand((argv) => runRunCommand(argv, defaultEnvironment()), rest);
    case 'install':
      return runAgentCommand((argv) => runInstallCommand(argv, defaultEnvironment()), rest);
    case 'uninstall':
      return runAgentCommand((argv) => runUninstallCommand(argv, defaultEnvironment()), rest);
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
