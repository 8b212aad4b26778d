// Parses a node-cron expression once (in a worker) into plain field lists the supervisor's timer can use without node-cron.
import cron from 'node-cron';

/** The times an expression names, one list per field (`dayOfMonth` may hold 'L', the month's last day). */
export type CronFields = ReturnType<typeof cron.parse>;

/** A validated schedule: the expression as written, and its fields as plain JSON. */
export interface CronSchedule {
  expression: string;
  fields: CronFields;
}

export function parseSchedule(expression: string): CronSchedule {
  if (!cron.validate(expression)) throw new Error(`schedule '${expression}' is not a valid cron expression`);
  return { expression, fields: cron.parse(expression) };
}
