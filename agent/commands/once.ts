// `once`: one collect-and-ship cycle; exit 0 when the report was acknowledged or safely spooled.
import { prepare, type CommandEnvironment } from './common';
import { openSession } from './session';

export async function runOnceCommand(argv: string[], env: CommandEnvironment): Promise<number> {
  const { config, log } = prepare(argv, env);
  const session = await openSession(config, env, log);
  try {
    // Only the id outlives the cycle: the report itself is on disk and need not stay in memory while it is sent.
    const { reportId } = (await session.cycle()).report;
    const drained = await session.drain();
    if (drained.acknowledged.includes(reportId)) {
      env.stdout(`report ${reportId} delivered (${drained.acknowledged.length} sent, ${drained.remaining} waiting)`);
    } else {
      const why = drained.stopped?.detail ?? 'not sent yet';
      env.stdout(`report ${reportId} spooled, ${drained.remaining} waiting: ${why}`);
      if (drained.stopped?.reason !== 'retry') log.warn(why);
    }
    return 0;
  } finally {
    session.close();
  }
}
