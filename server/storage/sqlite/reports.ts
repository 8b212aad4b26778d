// SQLite report history: the ingest entry point, per-device history, and retention.
import type { SectionName } from '../device-state';
import type { IngestBatchResult, IngestItem, IngestProjection, ReportRepository, ReportSummary } from '../repository';
import type { StatementCache } from './database';
import type { SqliteIngest } from './ingest';

interface ReportDbRow {
  report_id: string;
  device_id: string;
  sequence: number | null;
  generated_at: string;
  received_at: number;
  outcome: ReportSummary['outcome'];
  changed_sections: string;
  has_body: number;
}

export class SqliteReports implements ReportRepository {
  constructor(
    private readonly statements: StatementCache,
    private readonly ingest: SqliteIngest,
  ) {}

  async ingestBatch(items: IngestItem[], projections: readonly IngestProjection[], now: number): Promise<IngestBatchResult> {
    return this.ingest.ingestBatch(items, projections, now);
  }

  async has(reportId: string): Promise<boolean> {
    return this.statements.get('SELECT 1 FROM reports WHERE report_id = ?').get(reportId) !== undefined;
  }

  async listForDevice(deviceId: string, limit: number): Promise<ReportSummary[]> {
    const rows = this.statements
      .get(
        `SELECT report_id, device_id, sequence, generated_at, received_at, outcome, changed_sections, body IS NOT NULL AS has_body
         FROM reports WHERE device_id = ? ORDER BY received_at DESC LIMIT ?`,
      )
      .all(deviceId, limit) as ReportDbRow[];
    return rows.map((row) => ({
      reportId: row.report_id,
      deviceId: row.device_id,
      sequence: row.sequence,
      generatedAt: row.generated_at,
      receivedAt: row.received_at,
      outcome: row.outcome,
      changedSections: row.changed_sections ? (row.changed_sections.split(',') as SectionName[]) : [],
      hasBody: row.has_body === 1,
    }));
  }

  async body(reportId: string): Promise<string | null> {
    const row = this.statements.get('SELECT body FROM reports WHERE report_id = ?').get(reportId) as { body: string | null } | undefined;
    return row?.body ?? null;
  }

  async pruneBodies(before: number): Promise<number> {
    return this.statements.get('UPDATE reports SET body = NULL WHERE received_at < ? AND body IS NOT NULL').run(before).changes;
  }

  async deleteOlderThan(before: number): Promise<number> {
    return this.statements.get('DELETE FROM reports WHERE received_at < ?').run(before).changes;
  }

  async count(): Promise<number> {
    return (this.statements.get('SELECT count(*) AS n FROM reports').get() as { n: number }).n;
  }
}
