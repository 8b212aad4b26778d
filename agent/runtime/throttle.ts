// Keeps a long first scan to a share of one core by sleeping between chunks, so a 256 MiB log never pins a CPU.

export interface CpuClock {
  /** Process CPU time used so far, in microseconds (user + system). */
  cpuMicros(): number;
  /** Monotonic wall clock in milliseconds. */
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const processCpuClock: CpuClock = {
  cpuMicros: () => {
    const usage = process.cpuUsage();
    return usage.user + usage.system;
  },
  nowMs: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class ScanThrottle {
  private startCpu: number;
  private startWall: number;

  /** `share` of one core, e.g. 0.5; 1 disables throttling. */
  constructor(
    private readonly share: number,
    private readonly clock: CpuClock = processCpuClock,
  ) {
    this.startCpu = clock.cpuMicros();
    this.startWall = clock.nowMs();
  }

  /** Sleeps just long enough that CPU time / wall time stays at or under the share. */
  async pace(): Promise<void> {
    if (this.share >= 1) return;
    const cpuMs = (this.clock.cpuMicros() - this.startCpu) / 1000;
    const wallMs = this.clock.nowMs() - this.startWall;
    const owed = cpuMs / this.share - wallMs;
    if (owed > 5) await this.clock.sleep(Math.min(owed, 2_000));
  }
}
