// Entry of the single-file build (patchlens-agent.mjs). `run`, the long-lived supervisor, evaluates only its own few
// modules; every other command loads the full CLI on demand; a pipelined scan's framing worker thread runs this file too.
import { isMainThread } from 'node:worker_threads';
import { exitWith, runAgentCommand } from './command-errors';
import { runRunCommand } from './commands/run';

// The bundle is the framing worker's file (parser/pipeline.ts): the only worker threads the agent starts.
if (!isMainThread) void import('../parser/framing-worker-entry');
else if (process.argv[2] === 'run') exitWith(runAgentCommand(runRunCommand, process.argv.slice(3)));
// The full CLI sets its own exit code; only a failure to load it is reported here.
else import('./cli').catch((error: unknown) => exitWith(Promise.reject(error)));
