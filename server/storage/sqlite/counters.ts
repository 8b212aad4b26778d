// SQLite aggregate counters: reads by scope or key, and the deltas a transaction collects and applies.
import { decodeCounterKey, encodeCounterKey, setCounterValue, type Counted, type CounterKey, type CounterScope, type CounterValues, type EncodedCounterKey } from '../counter-keys';
import type { CounterRepository, CounterWriter } from '../repository';
import type { StatementCache } from './database';

export class SqliteCounters implements CounterRepository {
  constructor(private readonly statements: StatementCache) {}

  async scope<S extends CounterScope>(scope: S): Promise<Counted<S>[]> {
    const rows = this.statements.get('SELECT key, value FROM aggregate_counters WHERE scope = ?').all(scope) as { key: string; value: number }[];
    return rows.map((row) => ({ key: decodeCounterKey(scope, row.key), value: row.value }));
  }

  async get(key: CounterKey): Promise<number> {
    const encoded = encodeCounterKey(key);
    const row = this.statements.get('SELECT value FROM aggregate_counters WHERE scope = ? AND key = ?').get(encoded.scope, encoded.key) as
      | { value: number }
      | undefined;
    return row?.value ?? 0;
  }
}

/** Counter deltas collected while a transaction runs, summed per key; applied at its end. */
export class CounterDeltas implements CounterWriter {
  /** By `scope NUL key`. */
  readonly deltas = new Map<string, { key: EncodedCounterKey; delta: number }>();

  add(key: CounterKey, delta: number): void {
    if (delta === 0) return;
    const encoded = encodeCounterKey(key);
    this.addTo(`${encoded.scope}\u0000${encoded.key}`, encoded, delta);
  }

  /** Adds these deltas to `target` (a report's deltas join its batch once the report succeeded). */
  mergeInto(target: CounterDeltas): void {
    for (const [id, { key, delta }] of this.deltas) target.addTo(id, key, delta);
  }

  private addTo(id: string, key: EncodedCounterKey, delta: number): void {
    const known = this.deltas.get(id);
    if (known) known.delta += delta;
    else this.deltas.set(id, { key, delta });
  }
}

/** Applies collected deltas inside the caller's transaction and returns the counters' new values. */
export function applyCounterDeltas(statements: StatementCache, deltas: CounterDeltas): CounterValues {
  const values: CounterValues = {};
  const upsert = statements.get(
    `INSERT INTO aggregate_counters (scope, key, value) VALUES (?, ?, ?)
     ON CONFLICT (scope, key) DO UPDATE SET value = value + excluded.value RETURNING value`,
  );
  for (const { key, delta } of deltas.deltas.values()) {
    if (delta === 0) continue;
    const row = upsert.get(key.scope, key.key, delta) as { value: number };
    setCounterValue(values, key, row.value);
  }
  return values;
}
