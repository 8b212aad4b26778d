// A ceiling on work running at once: a caller gets a slot to give back later, or none when all are taken.
export class ConcurrencyLimit {
  private running = 0;

  constructor(readonly max: number) {}

  /** Work running now. */
  get active(): number {
    return this.running;
  }

  /** A release function when a slot is free, else null. Releasing more than once frees the slot once. */
  tryAcquire(): (() => void) | null {
    if (this.running >= this.max) return null;
    this.running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
    };
  }
}
