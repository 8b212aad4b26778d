// The committed db/schema.sql equals a freshly migrated empty database; the migration runner refuses edited or unknown migrations.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { openDatabase } from '../../server/storage/sqlite/database';
import { dumpSchema, migrate, MigrationError, readMigrations } from '../../server/storage/sqlite/migrate';

test('db/schema.sql matches the schema produced by running every migration on an empty database', () => {
  const db = openDatabase(':memory:');
  migrate(db);
  const committed = readFileSync(new URL('../../db/schema.sql', import.meta.url), 'utf8');
  assert.equal(dumpSchema(db), committed, 'db/schema.sql is out of date: run `npm run db:schema` and commit it');
  db.close();
});

test('migrating twice applies nothing the second time and records every migration once', () => {
  const db = openDatabase(':memory:');
  const first = migrate(db);
  assert.deepEqual(first, readMigrations().map((m) => m.name));
  assert.deepEqual(migrate(db), []);
  const rows = db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number };
  assert.equal(rows.n, first.length);
  db.close();
});

test('an applied migration whose file changed is refused with a message naming it', () => {
  const db = openDatabase(':memory:');
  const migrations = readMigrations();
  migrate(db, migrations);
  const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'different' } : m));
  assert.throws(() => migrate(db, edited), (err: unknown) => err instanceof MigrationError && /0001_core\.sql changed after it was applied/.test(err.message));
  db.close();
});

test('a database migrated by a newer build is refused instead of being run by an older one', () => {
  const db = openDatabase(':memory:');
  const migrations = readMigrations();
  migrate(db, migrations);
  assert.throws(() => migrate(db, migrations.slice(0, 1)), /which this build does not have/);
  db.close();
});

test('a failing migration leaves no partial tables behind', () => {
  const db = openDatabase(':memory:');
  const broken = [{ version: 1, name: '0001_broken.sql', sql: 'CREATE TABLE a (x); CREATE TABLE a (y);', checksum: 'x' }];
  assert.throws(() => migrate(db, broken), /0001_broken\.sql failed/);
  const tables = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get() as { n: number };
  assert.equal(tables.n, 0);
  db.close();
});
