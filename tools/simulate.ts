// `npm run simulate -- --devices N --server URL --secret S`: a simulated fleet enrolls and reports to a PatchLens server.
import { parseSimulateArgs, SIMULATE_USAGE, startSimulation, type SimulateArgs } from './simulator/simulation';

async function main(): Promise<void> {
  let args: SimulateArgs;
  try {
    args = parseSimulateArgs(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`simulate: ${(error as Error).message}\n\n${SIMULATE_USAGE}\n`);
    process.exit(2);
  }
  const print = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
  print(
    `${args.devices} simulated devices (${args.prefix}-ws-…) → ${args.server}, scenario ${args.scenario}, ` +
      `one report every ${args.cadenceMs / 60_000} min${args.speed !== 1 ? ` at ${args.speed}× speed` : ''}; Ctrl-C stops`,
  );
  const simulation = startSimulation(args, print);
  process.once('SIGINT', () => void simulation.stop());
  process.once('SIGTERM', () => void simulation.stop());
  const stats = await simulation.done;
  print(`done: ${stats.accepted} reports acknowledged, ${stats.duplicates} duplicates, ${stats.retries} retries, ${stats.failed} failed`);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulate: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
