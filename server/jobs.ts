// Scheduled jobs: node-cron schedules that never overlap themselves, log what each run did, and stop together.
import { schedule, type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';

export interface Job {
  name: string;
  /** A cron expression (seconds first when it has six fields). */
  cron: string;
  run(): Promise<unknown>;
  /** How a successful run is logged: nightly passes at info, frequent ones at debug. */
  logLevel: 'info' | 'debug';
}

export class JobSchedule {
  private tasks: ScheduledTask[] = [];

  constructor(
    private readonly jobs: readonly Job[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.tasks.length > 0) return;
    this.tasks = this.jobs.map((job) =>
      schedule(
        job.cron,
        async () => {
          try {
            this.logger[job.logLevel]({ job: job.name, result: await job.run() }, 'job done');
          } catch (err) {
            this.logger.error({ err, job: job.name }, 'job failed');
          }
        },
        { name: job.name, noOverlap: true },
      ),
    );
  }

  async stop(): Promise<void> {
    const tasks = this.tasks;
    this.tasks = [];
    for (const task of tasks) await task.stop();
  }
}
