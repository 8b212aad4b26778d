// Entry of the single-file build (patchlens-agent.mjs). `run`, the long-lived supervisor, starts from a few KiB of code;
// every other command, workers included, evaluates the full CLI, which the build embeds as deflated source text: a string
// the supervisor never parses as code keeps ~3.5 MiB of parsed functions out of the idle agent.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitWith, runAgentCommand } from './command-errors';
import { runRunCommand } from './commands/run';

/** The bundled CLI (agent/cli.ts as CommonJS), raw-deflated, base64; set by scripts/build.mjs, absent when this file runs from source. */
declare const PATCHLENS_EMBEDDED_CLI: string | undefined;

async function runFullCli(): Promise<void> {
  if (typeof PATCHLENS_EMBEDDED_CLI !== 'string') {
    await import('./cli');
    return;
  }
  const { compileFunction } = await import('node:vm');
  const { inflateRawSync } = await import('node:zlib');
  const file = fileURLToPath(import.meta.url);
  const parameters = ['require', 'module', 'exports', '__filename', '__dirname', 'PATCHLENS_ENTRY_URL'];
  const source = inflateRawSync(Buffer.from(PATCHLENS_EMBEDDED_CLI, 'base64')).toString('utf8');
  const body = compileFunction(source, parameters, { filename: `${file} (embedded cli)` });
  const module = { exports: {} };
  body(createRequire(import.meta.url), module, module.exports, file, dirname(file), import.meta.url);
}

if (process.argv[2] === 'run') exitWith(runAgentCommand(runRunCommand, process.argv.slice(3)));
// The full CLI sets its own exit code; only a failure to load it is reported here.
else runFullCli().catch((error: unknown) => exitWith(Promise.reject(error)));
