#!/usr/bin/env node
// `npm run build`: bundles each build target with esbuild. Targets: agent (one self-contained file runnable with plain node), dashboard (dist/dashboard).
// Usage: node scripts/build.mjs [target...] [--outdir DIR] [--if-stale]
import { build } from 'esbuild';
import { deflateRawSync } from 'node:zlib';
import { buildDashboard, dashboardIsFresh } from './build-dashboard.mjs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every bundle the project ships. Add a target here (e.g. the dashboard) rather than a new script. */
export const targets = {
  /** One self-contained file: agent/entry.ts with the full CLI embedded as source text (see buildAgent). */
  agent: (outdir) => ({ custom: buildAgent, fresh: () => false, outfile: join(outdir, 'patchlens-agent.mjs') }),
  /** The web dashboard: hashed assets plus index.html in <outdir>/dashboard (built by build-dashboard.mjs). */
  dashboard: (outdir) => ({ custom: buildDashboard, fresh: dashboardIsFresh, outfile: join(outdir, 'dashboard', 'index.html') }),
};

/** Settings both agent bundles share. Smaller source = less memory for every agent process; identifiers stay readable in stack traces. */
const agentBundle = { bundle: true, platform: 'node', target: 'node20', minifyWhitespace: true, minifySyntax: true, sourcemap: false, legalComments: 'none', logLevel: 'warning' };

/**
 * The agent ships as one file. Its entry starts the idle `run` supervisor from a few KiB of code; the
 * full CLI (parser, zod schemas, workers) is bundled separately as CommonJS and embedded as a packed
 * string constant (`packCli`), which the supervisor never unpacks and the other commands compile on demand.
 */
async function buildAgent(rootDir, outdir) {
  // A pipelined scan's framing worker evaluates only its own code (a few dozen KiB), embedded in the CLI as source text too.
  const framing = await build({ ...agentBundle, entryPoints: [join(rootDir, 'parser/framing-worker-entry.ts')], format: 'cjs', write: false });
  // CommonJS has no import.meta; the entry passes its own URL in (node-cron resolves a file beside itself at load).
  const cli = await build({
    ...agentBundle, entryPoints: [join(rootDir, 'agent/cli.ts')], format: 'cjs', write: false,
    define: { 'import.meta.url': 'PATCHLENS_ENTRY_URL', PATCHLENS_FRAMING_WORKER: JSON.stringify(framing.outputFiles[0].text) },
  });
  await build({
    ...agentBundle,
    entryPoints: [join(rootDir, 'agent/entry.ts')],
    outfile: join(outdir, 'patchlens-agent.mjs'),
    format: 'esm',
    define: { PATCHLENS_EMBEDDED_CLI: JSON.stringify(packCli(cli.outputFiles[0].contents)) },
    banner: { js: '#!/usr/bin/env node' },
  });
}

/**
 * The embedded CLI, deflated and in base64: under a third of the text, so every agent process holds a
 * ~176 KB file source instead of ~480 KB of CLI text (idle supervisor −1.3 MiB when it was measured),
 * and a worker holds the text once instead of twice. Deflate, not Brotli: inflating needs a 32 KiB
 * window, Brotli's is MiBs.
 */
function packCli(bytes) {
  const packed = deflateRawSync(bytes, { level: 9, memLevel: 9 });
  return packed.toString('base64');
}

/** Builds the named targets; with `ifStale`, a target whose output is newer than its sources is skipped. */
export async function runBuild(names, outdir, { ifStale = false } = {}) {
  const built = [];
  for (const name of names) {
    const target = targets[name];
    if (!target) throw new Error(`unknown build target '${name}' (known: ${Object.keys(targets).join(', ')})`);
    const options = target(outdir);
    if (options.custom) {
      if (ifStale && options.fresh(root, dirname(options.outfile))) continue;
      await options.custom(root, dirname(options.outfile));
    } else {
      await build(options);
    }
    built.push(options.outfile);
  }
  return built;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let args;
  try {
    args = parseArgs({ args: process.argv.slice(2), options: { outdir: { type: 'string' }, 'if-stale': { type: 'boolean' } }, allowPositionals: true });
  } catch (error) {
    process.stderr.write(`build: ${error.message.split(/\.\s/)[0]}\nusage: node scripts/build.mjs [target...] [--outdir DIR] [--if-stale]\n`);
    process.exit(2);
  }
  const names = args.positionals.length > 0 ? args.positionals : Object.keys(targets);
  try {
    const built = await runBuild(names, args.values.outdir ?? join(root, 'dist'), { ifStale: args.values['if-stale'] ?? false });
    for (const file of built) process.stdout.write(`built ${file}\n`);
  } catch (error) {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
