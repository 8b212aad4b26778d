// `npm start` launcher: the server (server/main.ts), or with `--demo` the demo of tools/demo.ts; it sits above both so the server never imports tools.
// A module (not a script), so the entries below can be awaited at the top level.
import { CommandLineError, parseCommandLine } from '../protocol/command-line';

const USAGE = 'usage: npm start [-- --demo [--devices N] [--port PORT]]';

function usageError(message: string): never {
  process.stderr.write(`patchlens: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let flags;
try {
  // `--devices` and `--port` are the demo's (`npm start -- --demo …` is `npm run demo -- …`); the server takes its settings from the environment.
  flags = parseCommandLine({ args, options: { demo: { type: 'boolean' }, devices: { type: 'string' }, port: { type: 'string' } } }).values;
} catch (error) {
  if (!(error instanceof CommandLineError)) throw error;
  usageError(error.message);
}
if (flags.demo) {
  await (await import('../tools/demo')).demoMain(args.filter((arg) => arg !== '--demo'));
} else if (flags.devices !== undefined || flags.port !== undefined) {
  usageError('--devices and --port go with --demo (the server takes PORT from the environment)');
} else {
  await import('../server/main');
}
