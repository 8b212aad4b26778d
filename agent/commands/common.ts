// What every agent command needs: configuration, logger, adapter, transport, identity — built once and passed in.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, requireServer, type AgentConfig } from '../config';
import { ConfigError } from '../config-error';
import { createLogger, type AgentLogger } from '../log';
import { Transport } from '../ship/transport';
import { ensureGeneratedDeviceId } from '../state/agent-state';
import { ProcessAdapter, type SystemAdapter } from '../windows/adapter';
import { splitPem, systemRootCertificates } from '../windows/system-ca';
import { collectInventory } from '../collect/inventory';
import { resolveIdentity } from '../runtime/report-builder';

/** Things a command takes from the outside world; tests replace them. */
export interface CommandEnvironment {
  adapter: SystemAdapter;
  now: () => Date;
  random: () => number;
  stdout: (line: string) => void;
}

export function defaultEnvironment(): CommandEnvironment {
  return {
    adapter: new ProcessAdapter(),
    now: () => new Date(),
    random: Math.random,
    stdout: (line) => process.stdout.write(`${line}\n`),
  };
}

export interface PreparedCommand {
  config: AgentConfig;
  log: AgentLogger;
}

/** Loads config and opens the state dir and the rotated log inside it. */
export function prepare(argv: string[], env: CommandEnvironment): PreparedCommand {
  const config = loadConfig({ argv, platform: env.adapter.platform });
  try {
    mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new ConfigError(`cannot create state dir ${config.stateDir}: ${(error as Error).message}`);
  }
  const log = createLogger({ level: config.logLevel, dir: join(config.stateDir, 'logs') });
  return { config, log };
}

/** HTTPS client trusting Node's roots, the Windows machine roots and the configured CA bundle. */
export async function openTransport(config: AgentConfig, adapter: SystemAdapter): Promise<Transport> {
  const server = requireServer(config);
  const extra: string[] = [];
  if (server.startsWith('https:')) {
    extra.push(...(await systemRootCertificates(adapter)));
    if (config.caBundle !== null) {
      let pem: string;
      try {
        pem = readFileSync(config.caBundle, 'utf8');
      } catch (error) {
        throw new ConfigError(`cannot read CA bundle ${config.caBundle}: ${(error as Error).message}`);
      }
      const certificates = splitPem(pem);
      if (certificates.length === 0) throw new ConfigError(`CA bundle ${config.caBundle} holds no PEM certificate`);
      extra.push(...certificates);
    }
  }
  return new Transport({ server, allowHttp: config.allowHttp, extraCaPem: extra, proxy: config.proxy });
}

/** Device id and hostname exactly as reports will carry them (so the enrolled key matches). */
export async function deviceIdentity(config: AgentConfig, env: CommandEnvironment, log: AgentLogger) {
  let inventory = null;
  if (config.deviceId === null || config.hostname === null) {
    try {
      inventory = await collectInventory(env.adapter);
    } catch (error) {
      log.warn({ error: (error as Error).message }, 'inventory unavailable while resolving the device identity');
    }
  }
  return resolveIdentity({
    deviceId: config.deviceId,
    hostname: config.hostname,
    inventory,
    generatedDeviceId: ensureGeneratedDeviceId(config.stateDir, env.now),
  });
}
