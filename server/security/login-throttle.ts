// Per-account and per-address login throttling: too many failures in a window lock further attempts for a while.
import type { Clock } from '../clock';
import { AppError } from '../errors';
import type { LoginThrottleRepository } from '../storage/repository';

export interface ThrottlePolicy {
  windowMs: number;
  lockMs: number;
  maxAccountFailures: number;
  maxIpFailures: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxAccountFailures: 5,
  maxIpFailures: 30,
};

export class LoginThrottle {
  constructor(
    private readonly repo: LoginThrottleRepository,
    private readonly clock: Clock,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
  ) {}

  /** Throws 429 with Retry-After while the account or the address is locked. */
  async assertAllowed(username: string, ip: string): Promise<void> {
    const now = this.clock.now();
    for (const [scope, key] of [
      ['account', username.toLowerCase()],
      ['ip', ip],
    ] as const) {
      const state = await this.repo.get(scope, key);
      if (state?.lockedUntil && state.lockedUntil > now) {
        const seconds = Math.ceil((state.lockedUntil - now) / 1000);
        throw new AppError(429, 'rate_limited', 'Too many failed sign-in attempts; try again later.', undefined, { 'Retry-After': String(seconds) });
      }
    }
  }

  async recordFailure(username: string, ip: string): Promise<void> {
    await this.bump('account', username.toLowerCase(), this.policy.maxAccountFailures);
    await this.bump('ip', ip, this.policy.maxIpFailures);
  }

  async recordSuccess(username: string): Promise<void> {
    await this.repo.clear('account', username.toLowerCase());
  }

  private async bump(scope: 'account' | 'ip', key: string, max: number): Promise<void> {
    const now = this.clock.now();
    const state = await this.repo.get(scope, key);
    const fresh = !state || now - state.windowStart >= this.policy.windowMs;
    const failures = fresh ? 1 : state.failures + 1;
    await this.repo.put(scope, key, {
      failures,
      windowStart: fresh ? now : state.windowStart,
      lockedUntil: failures >= max ? now + this.policy.lockMs : null,
    });
  }
}
