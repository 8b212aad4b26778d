// The framing worker's file when the parser runs from TypeScript source: a worker thread does not inherit the
// parent's `--import tsx` (Node 20), so it registers tsx itself before it loads the worker's TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./framing-worker-entry.ts');
