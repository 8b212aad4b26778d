// `enroll --server URL --secret S`: trade the fleet's enrollment secret for this device's own key.
import { ConfigError } from '../usage-error';
import { enrollDevice } from '../ship/sender';
import { deviceKeyPath } from '../state/device-key';
import { deviceIdentity, openTransport, prepare, type CommandEnvironment } from './common';

export async function runEnrollCommand(argv: string[], env: CommandEnvironment): Promise<number> {
  const { config, log } = prepare(argv, env);
  if (config.enrollmentSecret === null) throw new ConfigError('enroll needs --secret SECRET (or "enrollmentSecret" in the config file)');
  const transport = await openTransport(config, env.adapter);
  const identity = await deviceIdentity(config, env, log);
  await enrollDevice(
    { transport, stateDir: config.stateDir, adapter: env.adapter, now: env.now, ...identity },
    config.enrollmentSecret,
  );
  log.info({ deviceId: identity.deviceId, server: transport.serverUrl }, 'enrolled');
  env.stdout(`enrolled ${identity.deviceId} (${identity.hostname}) with ${transport.serverUrl}; key stored in ${deviceKeyPath(config.stateDir)}`);
  return 0;
}
