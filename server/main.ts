// Server entry point (`npm start`): reads config once, opens the database, creates the first admin, serves API, live push and dashboard.
import pino from 'pino';
import { composeServer } from './compose';
import { ConfigError, configWarnings, loadConfig } from './config';
import { openStorage } from './storage/open-storage';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`patchlens: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = pino({ level: config.logLevel });
  // Start-up warnings are written synchronously: they come before the listening line and survive an immediate stop.
  const startupLog = pino({ level: config.logLevel }, pino.destination({ dest: 1, sync: true }));
  for (const warning of configWarnings(config)) startupLog.warn(warning);
  const { storage, warnings, migrated } = openStorage(config);
  for (const warning of warnings) startupLog.warn(warning);
  if (migrated.length > 0) logger.info({ migrations: migrated }, 'database schema updated');

  const patchlens = await composeServer({ config, storage, logger });
  const initial = await patchlens.ctx.admin.ensureInitialAdmin(config.adminPassword);

  const address = await patchlens.listen();
  const scheme = config.tlsCert ? 'https' : 'http';
  const host = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address;
  const url = `${scheme}://${host}:${address.port}${config.basePath}/`;
  if (initial) {
    if (initial.oneTimePassword) {
      process.stdout.write(
        `\nFirst start: sign in at ${url} as "${initial.username}" with the one-time password\n\n    ${initial.oneTimePassword}\n\n` +
          'It is shown only now and must be changed at first sign-in. Lost it? npm run admin -- user reset-password admin\n\n',
      );
    } else {
      process.stdout.write(`\nFirst start: sign in at ${url} as "${initial.username}" with the password from PATCHLENS_ADMIN_PASSWORD.\n\n`);
    }
  }
  // Printed last: scripts and tests wait for this line.
  logger.info({ url, dataDir: config.dataDir }, 'PatchLens listening');
  process.stdout.write(`PatchLens listening on ${url} (data in ${config.dataDir})\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    patchlens
      .close()
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => {
        storage.close();
        process.exit(0);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`patchlens: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
