// Retention: one pass prunes old report bodies and report rows, expired sessions and spent sign-in failure counts (scheduled nightly in compose.ts).
import type { PlatformContext } from '../http/context';

/** Runs one retention pass now; returns what it removed. */
export async function runRetention(ctx: PlatformContext): Promise<{ bodies: number; reports: number; sessions: number; throttle: number }> {
  const now = ctx.clock.now();
  const bodies = await ctx.storage.reports.pruneBodies(now - ctx.config.reportBodyRetentionMs);
  const reports = await ctx.storage.reports.deleteOlderThan(now - ctx.config.reportRetentionMs);
  const sessions = await ctx.storage.sessions.deleteExpired(now);
  const throttle = await ctx.storage.throttle.deleteStale(now - ctx.config.loginLockoutMs, now);
  return { bodies, reports, sessions, throttle };
}
