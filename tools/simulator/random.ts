// Seeded pseudo-random numbers, so a simulated fleet (and any failure it finds) can be replayed exactly.

/** mulberry32: small, fast and good enough for choosing fleet shapes and jitter. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks one of `choices` with probability proportional to its weight. */
export function weightedPick<T>(choices: readonly { weight: number; value: T }[], random: () => number): T {
  const total = choices.reduce((sum, choice) => sum + choice.weight, 0);
  let roll = random() * total;
  for (const choice of choices) {
    roll -= choice.weight;
    if (roll < 0) return choice.value;
  }
  const last = choices[choices.length - 1];
  if (!last) throw new Error('weightedPick needs at least one choice');
  return last.value;
}
