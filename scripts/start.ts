// `npm start` launcher: the server (server/main.ts), or with `--demo` the demo of tools/demo.ts; it sits above both so the server never imports tools.
// A module (not a script), so the entries below can be awaited at the top level.
export {};
const demo = process.argv.indexOf('--demo', 2);
if (demo !== -1) {
  // `npm start -- --demo [--devices N] [--port PORT]` is `npm run demo`: a throw-away server with a simulated fleet.
  process.argv.splice(demo, 1);
  await import('../tools/demo');
} else {
  await import('../server/main');
}
