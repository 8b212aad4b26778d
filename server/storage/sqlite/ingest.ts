// The SQLite ingest transaction: dedupe, order, diff sections by hash, rewrite what changed, run projections.
import { hash } from 'node:crypto';
import type { Report } from '../../../protocol/report';
import {
  DEVICE_COUNTERS,
  SECTIONS,
  maxSequenceStep,
  orderReport,
  reportSections,
  type DeviceRow,
  type DeviceSections,
  type DeviceStateChange,
  type SectionName,
} from '../device-state';
import type {
  CounterValues,
  CounterWriter,
  IngestBatchResult,
  IngestItem,
  IngestOutcome,
  IngestProjection,
  ProjectionTx,
  SqlExecutor,
} from '../repository';
import { sqlExecutor, type SqliteDatabase, type StatementCache } from './database';
import { DEVICE_COLUMN_NAMES, deviceColumns, toDeviceRow, type DeviceDbRow } from './rows';
import { readSection, replaceSection } from './section-tables';

function hashSection(records: unknown[]): string {
  return hash('sha1', JSON.stringify(records), 'base64url');
}

/** Identity and OS fields; when none moved, an unchanged report only touches the last-report columns. */
const IDENTITY_FIELDS = ['hostname', 'osBuild', 'servicingStack', 'productName', 'edition', 'displayVersion', 'architecture', 'agentVersion'] as const;
const sameIdentity = (a: DeviceRow, b: DeviceRow) => IDENTITY_FIELDS.every((field) => a[field] === b[field]);
const EMPTY_HASH = hashSection([]);

/** Counter deltas collected while a report is applied; merged into the batch only when it succeeds. */
class CounterDeltas implements CounterWriter {
  readonly deltas = new Map<string, number>();
  add(scope: string, key: string, delta: number): void {
    if (delta === 0) return;
    const id = `${scope}\u0000${key}`;
    this.deltas.set(id, (this.deltas.get(id) ?? 0) + delta);
  }
  mergeInto(target: CounterDeltas): void {
    for (const [id, delta] of this.deltas) target.deltas.set(id, (target.deltas.get(id) ?? 0) + delta);
  }
}

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
    const applyOne = this.db.transaction((item: IngestItem, counters: CounterDeltas) =>
      this.applyReport(item, projections, { counters, sql: this.sql, now }),
    );
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
      return this.flushCounters(batchCounters);
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
      tx.counters.add(DEVICE_COUNTERS.scope, DEVICE_COUNTERS.total, 1);
    }
    if (before?.stale) tx.counters.add(DEVICE_COUNTERS.scope, DEVICE_COUNTERS.stale, -1);

    const sections: DeviceStateChange['sections'] = {};
    for (const section of changed) {
      const beforeRecords = before ? readSection(this.statements, section, after.id) : [];
      const afterRecords = incoming[section] as DeviceSections[typeof section];
      replaceSection(this.statements, section, after.id, afterRecords);
      (sections as Record<SectionName, unknown>)[section] = { before: beforeRecords, after: afterRecords };
    }

    const change: DeviceStateChange = { deviceId: after.id, reportId: report.reportId, receivedAt, before, after, sections };
    for (const projection of projections) projection.apply(tx, change);
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

  private flushCounters(deltas: CounterDeltas): CounterValues {
    return applyCounterDeltas(
      this.statements,
      [...deltas.deltas].map(([id, delta]) => {
        const [scope = '', key = ''] = id.split('\u0000');
        return [scope, key, delta];
      }),
    );
  }
}

/** Applies counter deltas outside ingest (e.g. the stale sweep) and returns the new values. */
export function applyCounterDeltas(statements: StatementCache, deltas: [scope: string, key: string, delta: number][]): CounterValues {
  const values: CounterValues = {};
  const upsert = statements.get(
    `INSERT INTO aggregate_counters (scope, key, value) VALUES (?, ?, ?)
     ON CONFLICT (scope, key) DO UPDATE SET value = value + excluded.value RETURNING value`,
  );
  for (const [scope, key, delta] of deltas) {
    if (delta === 0) continue;
    const row = upsert.get(scope, key, delta) as { value: number };
    (values[scope] ??= {})[key] = row.value;
  }
  return values;
}
