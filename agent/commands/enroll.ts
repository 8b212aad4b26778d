// `enroll --server URL --secret S`: trade the fleet's enrollment secret for this device's own key (or, for an enrolled id, ask an admin for a new one).
import { ConfigError } from '../config-error';
import { awaitingApproval, enrollDevice } from '../ship/enrollment';
import { deviceKeyPath } from '../state/device-key';
import { deviceIdentity, openTransport, prepare, type CommandEnvironment } from './common';

export async function runEnrollCommand(argv: string[], env: CommandEnvironment): Promise<number> {
  const { config, log } = prepare(argv, env);
  if (config.enrollmentSecret === null) throw new ConfigError('enroll needs --secret SECRET (or "enrollmentSecret" in the config file)');
  const transport = await openTransport(config, env.adapter);
  const identity = await deviceIdentity(config, env, log);
  const result = await enrollDevice({ transport, stateDir: config.stateDir, adapter: env.adapter, now: env.now, ...identity }, config.enrollmentSecret);
  if (result.kind === 'pending') {
    const wait = awaitingApproval(identity.deviceId, result.requestId, result.retryAfterMs);
    log.warn({ deviceId: identity.deviceId, requestId: result.requestId, server: transport.serverUrl }, wait.detail);
    env.stdout(`enrollment of ${identity.deviceId} (${identity.hostname}) with ${transport.serverUrl} is waiting: ${wait.detail}`);
    return 0;
  }
  log.info({ deviceId: identity.deviceId, server: transport.serverUrl }, 'enrolled');
  env.stdout(`enrolled ${identity.deviceId} (${identity.hostname}) with ${transport.serverUrl}; key stored in ${deviceKeyPath(config.stateDir)}`);
  return 0;
}
