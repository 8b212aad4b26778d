// `once`: one collect-and-ship cycle; exit 0 when the report was acknowledged or safely spooled.
import { prepare, type CommandEnvironment } from './common';
import { openSession } from './session';

export async function runOnceCommand(argv: string[], env: CommandEnvironment): Promise<number> {
  const { config, log } = prepare(argv, env);
  const session = await openSession(config, env, log);
  try {
    const { report } = await session.cycle();
    const drained = await session.drain();
    if (drained.acknowledged.includes(report.reportId)) {
      env.stdout(`report ${report.reportId} delivered (${drained.acknowledged.length} sent, ${drained.remaining} waiting)`);
    } else {
      const why = drained.stopped?.detail ?? 'not sent yet';
      env.stdout(`report ${report.reportId} spooled, ${drained.remaining} waiting: ${why}`);
      if (drained.stopped?.reason !== 'retry') log.warn(why);
    }
    return 0;
  } finally {
    session.close();
  }
}
