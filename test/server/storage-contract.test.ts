// The storage contract a dialect passes: counters, the fleet projection's device facts inside ingest, re-projection, the device index's fact filters.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FleetFactsChange, FleetFactsInput } from '../../server/fleet/fleet-store';
import { counterId, type CounterKey } from '../../server/storage/counter-keys';
import type { IngestItem, IngestProjection, Storage } from '../../server/storage/repository';
import { SqliteStorage, databasePath } from '../../server/storage/sqlite/storage';
import { syntheticReport } from './harness';

interface Dialect {
  name: string;
  open(): { storage: Storage; close(): void };
}

/** Every dialect the server can run on; a new one is added here and must pass the same tests. */
const DIALECTS: Dialect[] = [
  {
    name: 'SQLite',
    open() {
      const dir = mkdtempSync(join(tmpdir(), 'patchlens-contract-'));
      const storage = new SqliteStorage(databasePath(dir), { synchronous: 'NORMAL' });
      return {
        storage,
        close() {
          storage.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

const NOW = Date.UTC(2024, 10, 21, 12);
const item = (deviceId: string, n: number): IngestItem => {
  const report = syntheticReport(deviceId, n);
  return { report, rawBody: JSON.stringify(report), deviceId, receivedAt: NOW + n };
};

/** A decision that counts each device once per KB state it reports, and remembers what it was shown. */
function kbStateDecision(seen: FleetFactsInput[]) {
  return (input: FleetFactsInput): FleetFactsChange => {
    seen.push(input);
    const wanted = new Map<string, CounterKey>();
    for (const pkg of input.sections.packages) if (pkg.kb) wanted.set(counterId({ scope: 'kb_state', kb: pkg.kb, state: pkg.state }), { scope: 'kb_state', kb: pkg.kb, state: pkg.state });
    const had = new Map(input.stored.keys.map((key) => [counterId(key), key]));
    const added = [...wanted].filter(([id]) => !had.has(id)).map(([, key]) => key);
    const removed = [...had].filter(([id]) => !wanted.has(id)).map(([, key]) => key);
    return { added, removed, open: [], closed: [], counters: [...added.map((key): [CounterKey, number] => [key, 1]), ...removed.map((key): [CounterKey, number] => [key, -1])] };
  };
}

const staged: CounterKey = { scope: 'kb_state', kb: 'KB5043064', state: 'Staged' };
const installed: CounterKey = { scope: 'kb_state', kb: 'KB5043064', state: 'Installed' };

for (const dialect of DIALECTS) {
  describe(`storage contract: ${dialect.name}`, () => {
    let opened: ReturnType<Dialect['open']>;
    let storage: Storage;
    const seen: FleetFactsInput[] = [];
    let projection: IngestProjection;

    before(() => {
      opened = dialect.open();
      storage = opened.storage;
      projection = { name: 'contract', apply: (tx, change) => storage.fleet.facts.update(tx, change, kbStateDecision(seen)) };
    });
    after(() => opened.close());

    test('the projection sees the device as it is now and what it stored last time; its counter deltas commit with the batch', async () => {
      const first = await storage.reports.ingestBatch([item('dev-1', 1), item('dev-2', 2)], [projection], NOW);
      assert.deepEqual(first.outcomes.map((outcome) => outcome.status), ['applied', 'applied']);
      assert.deepEqual(first.counters.kb_state, { 'KB5043064\tStaged': 1, 'KB5043064\tInstalled': 1 });
      assert.deepEqual(seen[0]!.stored.keys, [], 'a new device has nothing stored');
      assert.equal(seen[0]!.device.id, 'dev-1');
      assert.deepEqual(seen[0]!.sections.hotfixes, [{ kb: 'KB5043064', installedOn: '2024-11-20' }]);

      seen.length = 0;
      const second = await storage.reports.ingestBatch([item('dev-1', 4)], [projection], NOW);
      assert.deepEqual(seen[0]!.stored.keys, [staged]);
      assert.deepEqual(seen[0]!.sections.packages.map((pkg) => pkg.state), ['Installed']);
      assert.deepEqual(second.counters.kb_state, { 'KB5043064\tStaged': 0, 'KB5043064\tInstalled': 2 });
      assert.equal(await storage.counters.get(installed), 2);
      const counted = await storage.counters.scope('kb_state');
      assert.deepEqual(counted.sort((a, b) => counterId(a.key).localeCompare(counterId(b.key))), [
        { key: installed, value: 2 },
        { key: staged, value: 0 },
      ]);
    });

    test('a report whose projection fails leaves neither facts nor counters behind', async () => {
      const failing: IngestProjection = {
        name: 'fails-for-poison',
        apply: (tx, change) =>
          storage.fleet.facts.update(tx, change, (input) => {
            const decided = kbStateDecision([])(input);
            if (input.device.id === 'poison') throw new Error('projection failed');
            return decided;
          }),
      };
      const result = await storage.reports.ingestBatch([item('poison', 1)], [failing], NOW);
      assert.equal(result.outcomes[0]!.status, 'failed');
      assert.deepEqual((await storage.fleet.devices.factsOf(['poison'], ['kb_state'])).get('poison'), undefined);
      assert.equal(await storage.counters.get(staged), 0);
    });

    test('re-projection decides stored devices again in one go, applies its deltas and returns the new values; unknown ids are skipped', async () => {
      const seenAgain: FleetFactsInput[] = [];
      const values = await storage.fleet.facts.reproject(['dev-1', 'no-such-device', 'dev-2'], (input) => {
        const decided = kbStateDecision(seenAgain)(input);
        const os: CounterKey = { scope: 'os_build', osBuild: input.device.osBuild ?? '' };
        return { ...decided, added: [...decided.added, os], counters: [...decided.counters, [os, 1]] };
      });
      assert.deepEqual(seenAgain.map((input) => input.device.id), ['dev-1', 'dev-2']);
      assert.deepEqual(values, { os_build: { '19045.4894': 2 } });
      assert.deepEqual((await storage.fleet.devices.factsOf(['dev-1'], ['os_build', 'kb_state'])).get('dev-1')?.sort((a, b) => counterId(a).localeCompare(counterId(b))), [installed, { scope: 'os_build', osBuild: '19045.4894' }]);
    });

    test('the device index filters by stored facts, any-of within a filter, without repeating a device', async () => {
      const page = (facts: { keys: CounterKey[]; exclusive: boolean; devices: number }[], sort: 'id' | 'hostname' = 'id') =>
        storage.fleet.devices.listDevices({ facts, sort, order: 'asc', limit: 10, after: null }).then((rows) => rows.map((row) => row.id));
      assert.deepEqual(await page([{ keys: [installed], exclusive: true, devices: 2 }]), ['dev-1', 'dev-2']);
      assert.deepEqual(await page([{ keys: [staged], exclusive: true, devices: 0 }]), []);
      const anyState = { keys: [installed, staged], exclusive: true, devices: 2 };
      assert.deepEqual(await page([anyState], 'hostname'), ['dev-1', 'dev-2']);
      const osAndState = [{ keys: [{ scope: 'os_build', osBuild: '19045.4894' } as CounterKey], exclusive: true, devices: 2 }, { ...anyState, exclusive: false }];
      assert.deepEqual(await page(osAndState, 'hostname'), ['dev-1', 'dev-2']);
      assert.deepEqual(await page([{ keys: [], exclusive: true, devices: 0 }]), [], 'a filter nothing can match');
    });
  });
}

test('SQLite refuses a projection that answers asynchronously: its report fails and nothing of it is stored', async () => {
  const { storage, close } = DIALECTS[0]!.open();
  try {
    const waits: IngestProjection = { name: 'waits', apply: async () => undefined };
    const result = await storage.reports.ingestBatch([item('late', 1)], [waits], NOW);
    assert.equal(result.outcomes[0]!.status, 'failed');
    assert.match((result.outcomes[0] as { error: Error }).error.message, /asynchronously/);
    assert.equal(await storage.devices.getRow('late'), null);
  } finally {
    close();
  }
});
