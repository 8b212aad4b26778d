// SQLite baselines: the KBs an admin requires per OS build by a due date.
import type { Baseline, BaselineInput } from '../../../../protocol/fleet-api';
import { defaultBaselineName } from '../../../../protocol/fleet-api';
import type { BaselineStore } from '../../../fleet/fleet-store';
import { sqlExecutor, type SqlExecutor, type StatementCache } from '../database';

interface BaselineRow {
  id: number;
  name: string;
  kb: string;
  applies_to: number;
  due_date: string;
  created_at: number;
}

const toBaseline = (row: BaselineRow): Baseline => ({
  id: row.id,
  name: row.name,
  kb: row.kb,
  appliesTo: row.applies_to,
  dueDate: row.due_date,
  createdAt: new Date(row.created_at).toISOString(),
});

export class SqliteBaselines implements BaselineStore {
  private readonly sql: SqlExecutor;

  constructor(statements: StatementCache) {
    this.sql = sqlExecutor(statements);
  }

  async list(): Promise<Baseline[]> {
    return this.sql.all<BaselineRow>('SELECT * FROM baselines ORDER BY id').map(toBaseline);
  }

  async create(input: BaselineInput, actor: string, now: number): Promise<Baseline> {
    const row = this.sql.get<BaselineRow>(
      'INSERT INTO baselines (name, kb, applies_to, due_date, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      input.name ?? defaultBaselineName(input),
      input.kb,
      input.appliesTo,
      input.dueDate,
      now,
      actor,
    );
    return toBaseline(row!);
  }

  async update(id: number, input: BaselineInput): Promise<Baseline | null> {
    const row = this.sql.get<BaselineRow>(
      'UPDATE baselines SET name = ?, kb = ?, applies_to = ?, due_date = ? WHERE id = ? RETURNING *',
      input.name ?? defaultBaselineName(input),
      input.kb,
      input.appliesTo,
      input.dueDate,
      id,
    );
    return row ? toBaseline(row) : null;
  }

  async delete(id: number): Promise<boolean> {
    return this.sql.run('DELETE FROM baselines WHERE id = ?', id).changes > 0;
  }
}
