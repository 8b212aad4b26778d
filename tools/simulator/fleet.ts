// Assembles a simulated fleet: device plans, one shared report builder, one transport to the server.
import { Transport } from '../../agent/ship/transport';
import { FleetReportBuilder } from './device-report';
import { planDevice, type FleetShape } from './fleet-plan';
import { SimulatedDevice } from './simulated-device';

export interface FleetOptions extends FleetShape {
  devices: number;
  server: string;
  secret: string;
  allowHttp?: boolean;
  /** Per-device agent state (key + spool) under this folder; null posts directly (very large fleets). */
  stateRoot: string | null;
  spoolLimitBytes?: number;
  /** Clock handed to the agents (report time stamps, Retry-After dates). */
  now?: () => Date;
  timeoutMs?: number;
}

/** The agent's default spool bound is far larger; a simulated device needs only a few reports of room. */
export const SIMULATED_SPOOL_LIMIT_BYTES = 256 * 1024;

export function createFleet(options: FleetOptions): { devices: SimulatedDevice[]; builder: FleetReportBuilder; transport: Transport } {
  const transport = new Transport({ server: options.server, allowHttp: options.allowHttp ?? false, extraCaPem: [], proxy: null, timeoutMs: options.timeoutMs ?? 30_000 });
  const builder = new FleetReportBuilder();
  const deps = {
    transport,
    builder,
    secret: options.secret,
    now: options.now ?? (() => new Date()),
    stateRoot: options.stateRoot,
    spoolLimitBytes: options.spoolLimitBytes ?? SIMULATED_SPOOL_LIMIT_BYTES,
  };
  const devices = Array.from({ length: options.devices }, (_, index) => new SimulatedDevice(planDevice(options, index), deps));
  return { devices, builder, transport };
}
