// How each report section is kept in its own table: the indexed columns beside the full record as JSON.
import type { DeviceSections, SectionName } from '../device-state';
import type { StatementCache } from './database';

interface SectionTable<K extends SectionName> {
  table: string;
  columns: string[];
  /** Values for `columns` (after device_id and ordinal/record handling) from one record. */
  values(record: DeviceSections[K][number], ordinal: number): unknown[];
  /** Tables keyed by a natural key replace duplicates instead of failing. */
  replaceDuplicates: boolean;
}

type SectionTables = { [K in SectionName]: SectionTable<K> };

export const SECTION_TABLES: SectionTables = {
  packages: {
    table: 'device_packages',
    columns: ['identity', 'kb', 'state', 'last_result'],
    values: (p) => [p.identity, p.kb, p.state, p.lastResult],
    replaceDuplicates: true,
  },
  failures: {
    table: 'device_failures',
    columns: ['ordinal', 'at', 'kb', 'hresult'],
    values: (f, i) => [i, f.at, f.kb, f.hresult],
    replaceDuplicates: false,
  },
  corruption: {
    table: 'device_corruption',
    columns: ['ordinal', 'at', 'family', 'version', 'file', 'kind', 'repaired'],
    values: (c, i) => [i, c.at, c.family, c.version, c.file, c.kind, c.repaired ? 1 : 0],
    replaceDuplicates: false,
  },
  scans: {
    table: 'device_scans',
    columns: ['ordinal', 'at', 'tool', 'result'],
    values: (s, i) => [i, s.at, s.tool, s.result],
    replaceDuplicates: false,
  },
  hotfixes: {
    table: 'device_hotfixes',
    columns: ['kb', 'installed_on'],
    values: (h) => [h.kb, h.installedOn],
    replaceDuplicates: true,
  },
  updateHistory: {
    table: 'device_update_history',
    columns: ['ordinal', 'kb', 'result_code', 'hresult', 'date'],
    values: (u, i) => [i, u.kb, u.resultCode, u.hresult, u.date],
    replaceDuplicates: false,
  },
};

/** Insertion order is kept: rowid-less tables keyed by natural keys are read back by `rowid`-free order columns. */
function orderColumn(section: SectionName): string {
  const columns = SECTION_TABLES[section].columns;
  return columns.includes('ordinal') ? 'ordinal' : columns[0]!;
}

export function readSection<K extends SectionName>(statements: StatementCache, section: K, deviceId: string): DeviceSections[K] {
  const { table } = SECTION_TABLES[section];
  const rows = statements.get(`SELECT record FROM ${table} WHERE device_id = ? ORDER BY ${orderColumn(section)}`).all(deviceId) as {
    record: string;
  }[];
  return rows.map((row) => JSON.parse(row.record)) as DeviceSections[K];
}

export function replaceSection<K extends SectionName>(
  statements: StatementCache,
  section: K,
  deviceId: string,
  records: DeviceSections[K],
): void {
  const spec = SECTION_TABLES[section] as SectionTable<K>;
  statements.get(`DELETE FROM ${spec.table} WHERE device_id = ?`).run(deviceId);
  if (records.length === 0) return;
  const placeholders = ['?', ...spec.columns.map(() => '?'), '?'].join(', ');
  const verb = spec.replaceDuplicates ? 'INSERT OR REPLACE' : 'INSERT';
  const insert = statements.get(`${verb} INTO ${spec.table} (device_id, ${spec.columns.join(', ')}, record) VALUES (${placeholders})`);
  records.forEach((record, ordinal) => {
    insert.run(deviceId, ...spec.values(record as DeviceSections[K][number], ordinal), JSON.stringify(record));
  });
}
