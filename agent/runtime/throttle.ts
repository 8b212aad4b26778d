// Keeps a long first scan to a share of one core by pausing between read chunks, so a 256 MiB log never pins a CPU.

export interface CpuClock {
  /** Process CPU time used so far, in microseconds (user + system). */
  cpuMicros(): number;
  /** Monotonic wall clock in milliseconds. */
  nowMs(): number;
  /** Blocks the thread for `ms` without using CPU. */
  pause(ms: number): void;
}

const pauseCell = new Int32Array(new SharedArrayBuffer(4));

export const processCpuClock: CpuClock = {
  cpuMicros: () => {
    const usage = process.cpuUsage();
    return usage.user + usage.system;
  },
  nowMs: () => performance.now(),
  // The parser's progress callback is synchronous; Atomics.wait sleeps without spinning. Nothing else
  // needs the event loop during a scan: the cycle is the only work in flight.
  pause: (ms) => void Atomics.wait(pauseCell, 0, 0, ms),
};

export class ScanThrottle {
  private readonly startCpu: number;
  private readonly startWall: number;

  /** `share` of one core, e.g. 0.5; 1 disables throttling. */
  constructor(
    private readonly share: number,
    private readonly clock: CpuClock = processCpuClock,
  ) {
    this.startCpu = clock.cpuMicros();
    this.startWall = clock.nowMs();
  }

  /** Pauses just long enough that CPU time / wall time stays at or under the share. */
  pace(): void {
    if (this.share >= 1) return;
    const cpuMs = (this.clock.cpuMicros() - this.startCpu) / 1000;
    const wallMs = this.clock.nowMs() - this.startWall;
    const owed = cpuMs / this.share - wallMs;
    if (owed > 5) this.clock.pause(Math.min(owed, 2_000));
  }
}
