// Fleet knowledge module: read routes, baselines, alerts and their projections and jobs (mounted under /api/v1).
import type { AppModule, PlatformContext } from '../../context';
import type { SqliteDatabase } from '../../../storage/sqlite/database';

/** Composed in server/main.ts; receives the platform context and the SQLite connection for its read models. */
export function createFleetModule(_ctx: PlatformContext, _db: SqliteDatabase): AppModule {
  return { name: 'fleet' };
}
