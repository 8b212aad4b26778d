// Bounds password checks (scrypt, ~100 ms of CPU and 32 MiB each): a few at a time, a short queue with a bounded wait, a small share per client address; beyond that 429 + Retry-After.
import { AppError } from '../errors';

export interface HashGateLimits {
  /** Checks running at once. */
  concurrency: number;
  /** Checks waiting for a slot, over all addresses. */
  queue: number;
  /** Checks running or waiting for one client address. */
  perAddress: number;
  /** Longest a check waits for a slot. */
  maxWaitMs: number;
}

/** Seconds a refused client is told to wait: the queue drains in about that. */
const BUSY_RETRY_SECONDS = 2;

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

export class PasswordHashGate {
  private running = 0;
  private readonly waiting: Waiter[] = [];
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly limits: HashGateLimits) {}

  /** Runs `check` when a slot is free; throws 429 when the address or the queue is full or the wait runs out. */
  async run<T>(address: string, check: () => Promise<T>): Promise<T> {
    const held = this.byAddress.get(address) ?? 0;
    if (held >= this.limits.perAddress) throw busy();
    if (this.running >= this.limits.concurrency && this.waiting.length >= this.limits.queue) throw busy();
    this.byAddress.set(address, held + 1);
    try {
      await this.acquire();
      try {
        return await check();
      } finally {
        this.release();
      }
    } finally {
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.limits.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(busy());
        }, this.limits.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  /** Hands the slot to the next waiter, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.start();
    } else {
      this.running--;
    }
  }
}

function busy(): AppError {
  return new AppError(429, 'rate_limited', 'The server is busy checking other sign-ins; try again shortly.', undefined, {
    'Retry-After': String(BUSY_RETRY_SECONDS),
  });
}
