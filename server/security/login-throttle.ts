// Sign-in throttling: each password check is counted before it runs, per (account, address), per address, per account (a far higher ceiling) and per session; over a limit the key is locked for a while.
import type { Clock } from '../clock';
import { AppError } from '../errors';
import type { LoginThrottleRepository, ThrottleKey, ThrottleState } from '../storage/repository';

export interface ThrottlePolicy {
  /** Failures are counted within this window, and a lock lasts this long. */
  windowMs: number;
  lockMs: number;
  /** Per account from one address (and per session): the limit a guesser meets. */
  maxFailures: number;
  /** Per account over every address: far higher, so one address cannot lock the owner out. */
  maxAccountFailures: number;
  /** Per address over every account. */
  maxAddressFailures: number;
}

export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxFailures: 5,
  maxAccountFailures: 100,
  maxAddressFailures: 30,
};

/**
 * One password check, already counted as a failure. A wrong password leaves it so; `succeeded`
 * forgives the account's failures from that address (and session); `cancelled` takes back an
 * attempt whose password was never checked.
 */
export interface Attempt {
  succeeded(): Promise<void>;
  cancelled(): Promise<void>;
}

export interface AttemptInput {
  username: string;
  address: string;
  /** The session's id hash, for a password change inside a session. */
  session?: string;
}

interface Counter extends ThrottleKey {
  max: number;
  /** Cleared on success; the wider counters only give back this attempt. */
  forgivenOnSuccess: boolean;
}

export class LoginThrottle {
  constructor(
    private readonly repo: LoginThrottleRepository,
    private readonly clock: Clock,
    private readonly policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
  ) {}

  /**
   * Counts one attempt on every key at once, before any password is hashed, so parallel requests
   * cannot all pass a check that runs before their failures are written. Throws 429 with
   * Retry-After while any key is locked.
   */
  async begin(input: AttemptInput): Promise<Attempt> {
    const counters = this.counters(input);
    const retryAfterMs = await this.repo.update(counters, (states) => {
      const now = this.clock.now();
      const lockedFor = Math.max(0, ...states.map((state) => (state?.lockedUntil ?? 0) - now));
      if (lockedFor > 0) return { states: states.map(() => undefined), result: lockedFor };
      return { states: states.map((state, i) => this.counted(state, counters[i]!.max, now)), result: 0 };
    });
    if (retryAfterMs > 0) {
      throw new AppError(429, 'rate_limited', 'Too many failed sign-in attempts; try again later.', undefined, {
        'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
      });
    }
    let settled = false;
    const settle = async (success: boolean) => {
      if (settled) return;
      settled = true;
      await this.repo.update(counters, (states) => ({
        states: states.map((state, i) => (success && counters[i]!.forgivenOnSuccess ? null : this.givenBack(state, counters[i]!.max))),
        result: undefined,
      }));
    };
    return { succeeded: () => settle(true), cancelled: () => settle(false) };
  }

  private counters({ username, address, session }: AttemptInput): Counter[] {
    const account = username.toLowerCase();
    const { maxFailures, maxAccountFailures, maxAddressFailures } = this.policy;
    const counters: Counter[] = [
      { scope: 'account_ip', key: JSON.stringify([account, address]), account, max: maxFailures, forgivenOnSuccess: true },
      { scope: 'account', key: account, account, max: maxAccountFailures, forgivenOnSuccess: false },
      { scope: 'ip', key: address, account: null, max: maxAddressFailures, forgivenOnSuccess: false },
    ];
    if (session) counters.push({ scope: 'session', key: session, account, max: maxFailures, forgivenOnSuccess: true });
    return counters;
  }

  private counted(state: ThrottleState | null, max: number, now: number): ThrottleState {
    const fresh = !state || now - state.windowStart >= this.policy.windowMs;
    const failures = fresh ? 1 : state.failures + 1;
    return { failures, windowStart: fresh ? now : state.windowStart, lockedUntil: failures >= max ? now + this.policy.lockMs : null };
  }

  private givenBack(state: ThrottleState | null, max: number): ThrottleState | null | undefined {
    if (!state) return undefined;
    const failures = Math.max(0, state.failures - 1);
    if (failures === 0) return null;
    return { failures, windowStart: state.windowStart, lockedUntil: failures < max ? null : state.lockedUntil };
  }
}
