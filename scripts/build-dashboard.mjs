// Dashboard build: bundles dashboard/main.tsx with esbuild into hashed assets and writes index.html pointing at them.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * zod's classic API re-exports every message locale (about 260 KB minified); the dashboard shows the
 * server's messages and its own catalogs, so only zod's English locale is bundled.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(args.importer) ? { path: join(dirname(args.importer), '../locales/en.js') } : undefined,
    );
  },
};

/** Sources whose change makes the bundle stale. */
const SOURCE_DIRS = ['dashboard', 'protocol'];

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** True when `outdir/index.html` exists and is newer than every dashboard and protocol source file. */
export function dashboardIsFresh(root, outdir) {
  let built;
  try {
    built = statSync(join(outdir, 'index.html')).mtimeMs;
  } catch {
    return false;
  }
  const sources = Math.max(...SOURCE_DIRS.map((dir) => newestMtime(join(root, dir))), statSync(join(root, 'package-lock.json')).mtimeMs);
  return built > sources;
}

/**
 * Bundles the dashboard. Asset URLs in index.html are relative (`assets/…`), so the same build works
 * at `/` and behind any path prefix; the page finds the API from its own location.
 */
export async function buildDashboard(root, outdir) {
  const assets = join(outdir, 'assets');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['dashboard/main.tsx'],
    outdir: assets,
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    plugins: [zodEnglishOnly],
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const outputs = Object.entries(result.metafile.outputs);
  const entry = outputs.find(([file, output]) => file.endsWith('.js') && output.entryPoint === 'dashboard/main.tsx');
  if (!entry) throw new Error('dashboard build produced no entry script');
  const [script, info] = entry;
  const css = info.cssBundle;
  const url = (file) => relative(outdir, join(root, file)).split('\\').join('/');
  const template = readFileSync(join(root, 'dashboard/index.html'), 'utf8');
  const html = template
    .replace('<!-- styles -->', css ? `<link rel="stylesheet" href="${url(css)}">` : '')
    .replace('<!-- script -->', `<script type="module" src="${url(script)}"></script>`);
  writeFileSync(join(outdir, 'index.html'), html);
  return join(outdir, 'index.html');
}
