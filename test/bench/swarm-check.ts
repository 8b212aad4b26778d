// Whether each wire dashboard of a swarm received exactly the events a socket.io-client dashboard received.

export interface WitnessCheck {
  /** Wire dashboards compared. */
  dashboards: number;
  /** Of those, how many received the witness's events, in order, over the deltas both saw. */
  matching: number;
  /** Events compared per dashboard (the smallest window). */
  fewestCompared: number;
  /** The first difference found, for the error message. */
  firstMismatch: string | null;
}

/**
 * Events are `name`, or `name#seq` for messages carrying a fleet delta. Sockets connect and close at slightly different
 * moments, so each list is compared with the witness from the first to the last delta both received.
 */
export function compareWithWitness(witness: string[], others: string[][]): WitnessCheck {
  const check: WitnessCheck = { dashboards: others.length, matching: 0, fewestCompared: Infinity, firstMismatch: null };
  const witnessAt = new Map<string, number>();
  witness.forEach((event, i) => event.includes('#') && witnessAt.set(event, i));
  others.forEach((events, index) => {
    const shared = events.map((event, i) => [i, witnessAt.get(event)] as const).filter((pair): pair is readonly [number, number] => pair[1] !== undefined);
    const problem = (() => {
      if (shared.length === 0) return witnessAt.size === 0 && events.length === 0 ? null : 'no fleet delta in common with the witness';
      const [from, witnessFrom] = shared[0]!;
      const [to, witnessTo] = shared[shared.length - 1]!;
      const mine = events.slice(from, to + 1);
      const theirs = witness.slice(witnessFrom, witnessTo + 1);
      check.fewestCompared = Math.min(check.fewestCompared, mine.length);
      const at = mine.findIndex((event, i) => event !== theirs[i]);
      if (at >= 0 || mine.length !== theirs.length) return `event ${at >= 0 ? at : mine.length}: ${mine[at] ?? '(none)'} where the witness got ${theirs[at >= 0 ? at : mine.length] ?? '(none)'}`;
      return null;
    })();
    if (problem === null) check.matching++;
    else check.firstMismatch ??= `dashboard ${index + 1}: ${problem}`;
  });
  if (check.fewestCompared === Infinity) check.fewestCompared = 0;
  return check;
}
