// Retention: a nightly job prunes old report bodies and report rows, expired sessions and spent sign-in failure counts.
import { schedule, type ScheduledTask } from 'node-cron';
import type { AppModule, PlatformContext } from '../http/context';

/** Runs one retention pass now; returns what it removed. */
export async function runRetention(ctx: PlatformContext): Promise<{ bodies: number; reports: number; sessions: number; throttle: number }> {
  const now = ctx.clock.now();
  const bodies = await ctx.storage.reports.pruneBodies(now - ctx.config.reportBodyRetentionMs);
  const reports = await ctx.storage.reports.deleteOlderThan(now - ctx.config.reportRetentionMs);
  const sessions = await ctx.storage.sessions.deleteExpired(now);
  const throttle = await ctx.storage.throttle.deleteStale(now - ctx.config.loginLockoutMs, now);
  return { bodies, reports, sessions, throttle };
}

export function retentionModule(ctx: PlatformContext): AppModule {
  let task: ScheduledTask | null = null;
  return {
    name: 'retention',
    start() {
      task = schedule(
        '17 3 * * *',
        async () => {
          try {
            ctx.logger.info(await runRetention(ctx), 'retention pass done');
          } catch (err) {
            ctx.logger.error({ err }, 'retention pass failed');
          }
        },
        { noOverlap: true, name: 'retention' },
      );
    },
    async stop() {
      await task?.stop();
    },
  };
}
