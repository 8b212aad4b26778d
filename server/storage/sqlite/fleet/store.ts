// The SQLite fleet store: every part of the fleet's storage contract on the platform's connection and statement cache.
import type { FleetStore } from '../../../fleet/fleet-store';
import type { SqliteDatabase, StatementCache } from '../database';
import { SqliteAlerts } from './alerts';
import { SqliteBaselines } from './baselines';
import { SqliteFleetDeviceIndex } from './device-index';
import { SqliteFleetFacts } from './facts';
import { SqliteTrends } from './trends';
import { SqliteWebhooks } from './webhooks';

export class SqliteFleetStore implements FleetStore {
  readonly facts: SqliteFleetFacts;
  readonly devices: SqliteFleetDeviceIndex;
  readonly baselines: SqliteBaselines;
  readonly alerts: SqliteAlerts;
  readonly webhooks: SqliteWebhooks;
  readonly trends: SqliteTrends;

  constructor(db: SqliteDatabase, statements: StatementCache) {
    this.facts = new SqliteFleetFacts(db, statements);
    this.devices = new SqliteFleetDeviceIndex(db, statements);
    this.baselines = new SqliteBaselines(statements);
    this.alerts = new SqliteAlerts(db, statements);
    this.webhooks = new SqliteWebhooks(statements);
    this.trends = new SqliteTrends(db, statements);
  }
}
