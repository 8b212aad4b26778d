// The SQLite ingest transaction: dedupe, order, diff sections by hash, rewrite what changed, run projections.
import { hash } from 'node:crypto';
import type { Report } from '../../../protocol/report';
import { DEVICE_COUNTERS } from '../counter-keys';
import {
  SECTIONS,
  maxSequenceStep,
  orderReport,
  reportSections,
  type DeviceRow,
  type DeviceSections,
  type DeviceStateChange,
  type SectionName,
} from '../device-state';
import type { IngestBatchResult, IngestItem, IngestOutcome, IngestProjection, ProjectionTx } from '../repository';
import { applyCounterDeltas, CounterDeltas } from './counters';
import { sqlExecutor, type SqlExecutor, type SqliteDatabase, type StatementCache } from './database';
import { DEVICE_COLUMN_NAMES, deviceColumns, toDeviceRow, type DeviceDbRow } from './rows';
import { readSection, replaceSection } from './section-tables';

function hashSection(records: unknown[]): string {
  return hash('sha1', JSON.stringify(records), 'base64url');
}

/** Identity and OS fields; when none moved, an unchanged report only touches the last-report columns. */
const IDENTITY_FIELDS = ['hostname', 'osBuild', 'servicingStack', 'productName', 'edition', 'displayVersion', 'architecture', 'agentVersion'] as const;
const sameIdentity = (a: DeviceRow, b: DeviceRow) => IDENTITY_FIELDS.every((field) => a[field] === b[field]);
const EMPTY_HASH = hashSection([]);

class DuplicateReport extends Error {}

function deviceRowFor(report: Report, before: DeviceRow | null, receivedAt: number, keyId: number | undefined): DeviceRow {
  const build = report.device.osBuild ? /^(\d+)\.(\d+)$/.exec(report.device.osBuild) : null;
  return {
    id: report.device.id,
    hostname: report.device.hostname,
    osBuild: report.device.osBuild ?? null,
    osMajor: build ? Number(build[1]) : null,
    osRevision: build ? Number(build[2]) : null,
    servicingStack: report.device.servicingStack ?? null,
    productName: report.device.productName ?? null,
    edition: report.device.edition ?? null,
    displayVersion: report.device.displayVersion ?? null,
    architecture: report.device.architecture ?? null,
    agentVersion: report.device.agentVersion ?? null,
    firstSeenAt: before?.firstSeenAt ?? receivedAt,
    lastSeenAt: receivedAt,
    lastReportId: report.reportId,
    lastGeneratedAt: report.generatedAt,
    lastSequence: report.sequence ?? null,
    keyId: keyId ?? before?.keyId ?? null,
    stale: false,
  };
}

export class SqliteIngest {
  private readonly sql: SqlExecutor;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly statements: StatementCache,
  ) {
    this.sql = sqlExecutor(statements);
  }

  ingestBatch(items: IngestItem[], projections: readonly IngestProjection[], now: number): IngestBatchResult {
    const batchCounters = new CounterDeltas();
    const outcomes: IngestOutcome[] = [];
    const applyOne = this.db.transaction((item: IngestItem, counters: CounterDeltas) => this.applyReport(item, projections, { counters, now }));
    const run = this.db.transaction(() => {
      for (const item of items) {
        const counters = new CounterDeltas();
        try {
          const outcome = applyOne(item, counters);
          counters.mergeInto(batchCounters);
          outcomes.push(outcome);
        } catch (err) {
          if (err instanceof DuplicateReport) outcomes.push(this.duplicateOutcome(item));
          else outcomes.push({ status: 'failed', reportId: item.report.reportId, error: err as Error });
        }
      }
      return applyCounterDeltas(this.statements, batchCounters);
    });
    const counters = run.immediate();
    return { outcomes, counters };
  }

  private duplicateOutcome(item: IngestItem): IngestOutcome {
    const owner = this.sql.get<{ device_id: string }>('SELECT device_id FROM reports WHERE report_id = ?', item.report.reportId);
    if (owner && owner.device_id !== item.deviceId) {
      return { status: 'conflict', reportId: item.report.reportId, message: 'This reportId was already used by another device.' };
    }
    return { status: 'duplicate', reportId: item.report.reportId };
  }

  private applyReport(item: IngestItem, projections: readonly IngestProjection[], tx: ProjectionTx & { counters: CounterDeltas }): IngestOutcome {
    const { report, receivedAt } = item;
    const stored = this.statements.get('SELECT * FROM devices WHERE id = ?').get(item.deviceId) as DeviceDbRow | undefined;
    const before = stored ? toDeviceRow(stored) : null;

    const order = before ? orderReport(report, item.keyId, receivedAt, before) : 'current';
    if (order === 'implausible') {
      if (this.statements.get('SELECT 1 FROM reports WHERE report_id = ?').get(report.reportId)) throw new DuplicateReport();
      const message = `sequence ${report.sequence} is more than ${maxSequenceStep(before!, receivedAt)} ahead of the device's last accepted report (${before!.lastSequence}); not plausible for one agent`;
      return { status: 'refused', reportId: report.reportId, message, path: 'sequence' };
    }
    if (order === 'older') {
      this.insertReport(item, 'superseded', [], null);
      return { status: 'superseded', reportId: report.reportId, changedSections: [], change: null };
    }

    const storedHashes = stored ? (JSON.parse(stored.section_hashes) as Partial<Record<SectionName, string>>) : {};
    const incoming = reportSections(report);
    const hashes: Partial<Record<SectionName, string>> = { ...storedHashes };
    const changed: SectionName[] = [];
    for (const section of SECTIONS) {
      const records = incoming[section];
      if (!records) continue;
      const hash = hashSection(records);
      hashes[section] = hash;
      if (hash !== (storedHashes[section] ?? EMPTY_HASH)) changed.push(section);
    }

    const outcome = changed.length > 0 ? 'applied' : 'unchanged';
    // Inserting the report first makes a repeated reportId fail before anything else is written.
    this.insertReport(item, outcome, changed, changed.length > 0 ? item.rawBody : null);

    const after = deviceRowFor(report, before, receivedAt, item.keyId);
    if (before && changed.length === 0 && sameIdentity(before, after)) {
      // The steady-state path: one narrow update that leaves the hostname and OS indexes alone.
      this.statements
        .get('UPDATE devices SET last_seen_at = ?, last_report_id = ?, last_generated_at = ?, last_sequence = ?, key_id = ?, stale = 0 WHERE id = ?')
        .run(after.lastSeenAt, after.lastReportId, after.lastGeneratedAt, after.lastSequence, after.keyId, after.id);
    } else if (before) {
      this.statements
        .get(
          `UPDATE devices SET (${DEVICE_COLUMN_NAMES}, section_hashes) = (${DEVICE_COLUMN_NAMES.split(', ').map(() => '?').join(', ')}, ?) WHERE id = ?`,
        )
        .run(...deviceColumns(after), JSON.stringify(hashes), after.id);
    } else {
      this.statements
        .get(`INSERT INTO devices (${DEVICE_COLUMN_NAMES}, section_hashes) VALUES (${DEVICE_COLUMN_NAMES.split(', ').map(() => '?').join(', ')}, ?)`)
        .run(...deviceColumns(after), JSON.stringify(hashes));
      tx.counters.add(DEVICE_COUNTERS.total, 1);
    }
    if (before?.stale) tx.counters.add(DEVICE_COUNTERS.stale, -1);

    const sections: DeviceStateChange['sections'] = {};
    for (const section of changed) {
      const beforeRecords = before ? readSection(this.statements, section, after.id) : [];
      const afterRecords = incoming[section] as DeviceSections[typeof section];
      replaceSection(this.statements, section, after.id, afterRecords);
      (sections as Record<SectionName, unknown>)[section] = { before: beforeRecords, after: afterRecords };
    }

    const change: DeviceStateChange = { deviceId: after.id, reportId: report.reportId, receivedAt, before, after, sections };
    for (const projection of projections) {
      const pending = projection.apply(tx, change);
      // The savepoint around this report is synchronous: a projection that would wait cannot run inside it.
      if (pending instanceof Promise) {
        pending.catch(() => undefined);
        throw new Error(`projection ${projection.name} answered asynchronously; SQLite's ingest transaction is synchronous`);
      }
    }
    return { status: outcome, reportId: report.reportId, changedSections: changed, change };
  }

  private insertReport(item: IngestItem, outcome: 'applied' | 'unchanged' | 'superseded', changed: SectionName[], body: string | null): void {
    const { report } = item;
    const result = this.statements
      .get(
        `INSERT INTO reports (report_id, device_id, sequence, generated_at, received_at, outcome, changed_sections, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (report_id) DO NOTHING`,
      )
      .run(report.reportId, item.deviceId, report.sequence ?? null, report.generatedAt, item.receivedAt, outcome, changed.join(','), body);
    if (result.changes === 0) throw new DuplicateReport();
  }
}
