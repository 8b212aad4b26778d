#!/usr/bin/env node
// `npm run build`: bundles each build target with esbuild. Targets: agent (one self-contained file runnable with plain node), dashboard (dist/dashboard).
// Usage: node scripts/build.mjs [target...] [--outdir DIR] [--if-stale]
import { build } from 'esbuild';
import { buildDashboard, dashboardIsFresh } from './build-dashboard.mjs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every bundle the project ships. Add a target here (e.g. the dashboard) rather than a new script. */
export const targets = {
  /** One self-contained file runnable with plain node: agent/entry.ts and everything it loads (see buildAgent). */
  agent: (outdir) => ({ custom: buildAgent, fresh: () => false, outfile: join(outdir, 'patchlens-agent.mjs') }),
  /** The web dashboard: hashed assets plus index.html in <outdir>/dashboard (built by build-dashboard.mjs). */
  dashboard: (outdir) => ({ custom: buildDashboard, fresh: dashboardIsFresh, outfile: join(outdir, 'dashboard', 'index.html') }),
};

/**
 * The agent ships as one ES module. The supervisor (`run`) must stay small while idle, so agent/entry.ts
 * loads the rest of the CLI with a dynamic `import()`: esbuild, bundling without code splitting, keeps
 * that code in the same file but wraps each module in a function that runs on first import, and V8
 * compiles a function only when it first runs. The same file is the framing worker of a pipelined scan
 * (`PATCHLENS_BUNDLE_RUNS_FRAMING`, read by parser/pipeline.ts). Smaller source = less memory for every
 * agent process; identifiers stay readable in stack traces.
 */
async function buildAgent(rootDir, outdir) {
  await build({
    entryPoints: [join(rootDir, 'agent/entry.ts')],
    outfile: join(outdir, 'patchlens-agent.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'warning',
    define: { PATCHLENS_BUNDLE_RUNS_FRAMING: 'true' },
    banner: { js: '#!/usr/bin/env node' },
  });
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
