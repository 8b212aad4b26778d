// A test server with fleet knowledge on a manual clock, and the support-case devices enrolled and ingested.
import { ManualClock } from '../../../server/clock';
import type { FleetOptions } from '../../../server/compose';
import type { Fleet } from '../../../server/fleet/fleet';
import { apiToken, enroll, fixtureReport, postReport, startTestServer, type FixtureName, type TestServer, type TestServerOptions } from '../harness';

export interface FleetTestServer extends TestServer {
  clock: ManualClock;
  fleet: Fleet;
  viewer: string;
  admin: string;
  /** Enrolls the device of a fixture (once) and posts the report; returns the HTTP status. */
  ingest(name: FixtureName, change?: (report: ReturnType<typeof fixtureReport>) => void): Promise<number>;
}

export async function startFleetServer(options: FleetOptions = {}, start = '2024-11-21T08:00:00Z', config: TestServerOptions['config'] = {}): Promise<FleetTestServer> {
  const clock = new ManualClock(start);
  const server = await startTestServer({ config, clock, fleet: options });
  const keys = new Map<string, string>();
  return Object.assign(server, {
    clock,
    fleet: server.patchlens.fleet!,
    viewer: await apiToken(server, 'viewer'),
    admin: await apiToken(server, 'admin'),
    async ingest(name: FixtureName, change?: (report: ReturnType<typeof fixtureReport>) => void) {
      const report = fixtureReport(name);
      change?.(report);
      let key = keys.get(report.device.id);
      if (!key) keys.set(report.device.id, (key = await enroll(server, report.device.id, report.device.hostname)));
      return (await postReport(server, key, report)).status;
    },
  });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
