// Agent command line: `npm run agent -- <command> …` (scan, enroll, once, run, install, uninstall).
// Commands are loaded on demand: the long-running `run` supervisor must not pay for the parser and
// the zod schemas, which only its short-lived workers need (idle memory budget). In the single-file
// build, agent/entry.ts starts `run` without loading this module.
import { exitWith, runAgentCommand } from './command-errors';

const USAGE = `usage: patchlens-agent <command> [options]

commands:
  scan PATH... [--json]     parse CBS.log / CbsPersist_*.log / CheckSUR.log files or folders
  enroll --server URL --secret SECRET
                            exchange the fleet enrollment secret for this device's key
                            (an already enrolled device id waits for an admin's approval)
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
  --secret SECRET           enrollment secret (also asks to enroll again after a refused key)
  --device-id ID, --hostname NAME
                            override the detected identity
  --ca-bundle FILE, --proxy URL, --schedule CRON, --spool-limit SIZE, --log-level LEVEL
`;

async function environment() {
  return (await import('./commands/common')).defaultEnvironment();
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'scan':
      return (await import('./commands/scan')).runScanCommand(rest);
    case 'enroll':
      return runAgentCommand(async (argv) => (await import('./commands/enroll')).runEnrollCommand(argv, await environment()), rest);
    case 'once':
      return runAgentCommand(async (argv) => (await import('./commands/once')).runOnceCommand(argv, await environment()), rest);
    case 'run':
      return runAgentCommand(async (argv) => (await import('./commands/run')).runRunCommand(argv), rest);
    case 'worker':
      return runAgentCommand(async (argv) => (await import('./commands/worker')).runWorkerCommand(argv, await environment()), rest);
    case 'install':
      return runAgentCommand(async (argv) => (await import('./commands/install')).runInstallCommand(argv, await environment()), rest);
    case 'uninstall':
      return runAgentCommand(async (argv) => (await import('./commands/install')).runUninstallCommand(argv, await environment()), rest);
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

exitWith(main(process.argv.slice(2)));
