// Latency samples and their percentiles, for the simulator's progress lines and the load benchmark.

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Keeps every sample until read; `take` returns them sorted and starts a new window. */
export class LatencyWindow {
  private samples: number[] = [];

  add(ms: number): void {
    this.samples.push(ms);
  }

  take(): number[] {
    const taken = this.samples.sort((a, b) => a - b);
    this.samples = [];
    return taken;
  }
}

export const formatMs = (ms: number) => (Number.isNaN(ms) ? '–' : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
