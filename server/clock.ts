// The time source passed to every part of the server, so tests can fix and move time.
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  private current: number;
  constructor(start: number | string = '2024-11-21T12:00:00Z') {
    this.current = typeof start === 'number' ? start : Date.parse(start);
  }
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(at: number | string): void {
    this.current = typeof at === 'number' ? at : Date.parse(at);
  }
}
