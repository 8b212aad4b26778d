// The seed of a randomized test: printed with the command that replays it; TEST_SEED=<n> replays a run.
import { randomInt } from 'node:crypto';
import { relative } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

/**
 * `TEST_SEED` when set, else `fallback` (a fixed seed keeps a test's inputs the same on every run),
 * else a fresh one. Printed at once, so even a run that hangs or crashes can be replayed.
 */
export function testSeed(what: string, fallback?: number): number {
  const seed = replaySeed() ?? fallback ?? randomInt(1, 2 ** 31);
  const file = process.argv[1] ? relative(root, process.argv[1]) : 'the test file';
  process.stdout.write(`# ${what}: seed ${seed} (replay: TEST_SEED=${seed} node scripts/test.mjs ${file})\n`);
  return seed;
}

/** For a test that runs a fixed list of seeds: the list, or only `TEST_SEED` when set; each printed. */
export function testSeeds(what: string, fixed: readonly number[]): number[] {
  return replaySeed() === null ? fixed.map((seed) => testSeed(what, seed)) : [testSeed(what)];
}

function replaySeed(): number | null {
  const given = process.env.TEST_SEED;
  if (given === undefined || given === '') return null;
  const seed = Number(given);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`TEST_SEED must be a whole number, not '${given}'`);
  return seed;
}
