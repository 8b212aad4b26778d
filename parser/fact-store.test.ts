// Package facts in the store: compact snapshot rows restore exactly (odd characters included), rows nobody touched go
// out unchanged, snapshots written before rows existed still restore, and a package dropped over the limit comes back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { updateCatalog } from '../protocol/catalog';
import { FACT_LIMITS, FactStore, type FactStoreState } from './fact-store';

const catalog = updateCatalog();
// Identities and clients as CBS prints them (cbs-formats.md §2.4), plus client names with the row's own separators.
const RESOLVED = 'Package_for_KB3172605~31bf3856ad364e35~amd64~~7.1.1.0';
const IE11 = 'Microsoft-Windows-InternetExplorer-Package-TopLevel~31bf3856ad364e35~amd64~~11.2.9600.16428';

function filledStore(): FactStore {
  const store = new FactStore(catalog);
  store.observePackage({
    identity: RESOLVED, at: '2016-09-01T10:28:07+08:00', state: 'Resolved', weight: 'attempt', result: null,
    failureSource: 'Stage', targetState: 'Installed', client: 'DISM Package Manager Provider', kb: null,
  });
  store.observePackage({
    identity: IE11, at: '2017-11-24T14:00:00Z', state: 'Staged', weight: 'attempt', result: '0x80070002',
    failureSource: '', targetState: 'Installed', client: 'odd|client %7C 100%', kb: null,
  });
  return store;
}

function throughJson(state: FactStoreState): FactStoreState {
  return JSON.parse(JSON.stringify(state)) as FactStoreState;
}

test('package facts restored from compact rows are the facts that were saved, separators in the text included', () => {
  const store = filledStore();
  const saved = throughJson(store.snapshot());
  assert.equal(saved.packageRows?.length, 2);
  const restored = new FactStore(catalog);
  restored.restore(saved);
  assert.deepEqual(restored.packageRecords(), store.packageRecords());
  assert.equal(restored.packageRecords()[1]?.client, 'odd|client %7C 100%');
  assert.equal(restored.packageRecords()[1]?.failureSource, '');
  assert.equal(restored.osBuild(), store.osBuild());
});

test('a restored package no line names is saved again unchanged; a named one carries its new state', () => {
  const saved = throughJson(filledStore().snapshot());
  const restored = new FactStore(catalog);
  restored.restore(saved);
  restored.observePackage({
    identity: RESOLVED, at: '2016-09-01T10:30:00+08:00', state: 'Installed', weight: 'observed', result: null,
    failureSource: null, targetState: null, client: null, kb: null,
  });
  const again = restored.snapshot();
  assert.equal(again.packageRows?.[1], saved.packageRows?.[1]);
  assert.notEqual(again.packageRows?.[0], saved.packageRows?.[0]);
  assert.equal(restored.packageRecords()[0]?.state, 'Installed');
});

test('a snapshot that lists packages as objects (written before rows) still restores', () => {
  const store = filledStore();
  const restored = new FactStore(catalog);
  const legacy: FactStoreState = {
    ...throughJson(store.snapshot()),
    packageRows: undefined,
    packages: store.packageRecords().map((record, index) => ({
      ...record, seen: index === 0 ? '2016-09-01T10:28:07' : '2017-11-24T14:00:00', failedTarget: null,
    })),
  };
  restored.restore(throughJson(legacy));
  assert.deepEqual(restored.packageRecords(), store.packageRecords());
});

test('a package dropped over the limit (the oldest goes) is tracked again when a later line names it', () => {
  const store = new FactStore(catalog);
  const observe = (identity: string, at: string, state: 'Staged' | 'Installed') =>
    store.observePackage({ identity, at, state, weight: 'attempt', result: null, failureSource: null, targetState: null, client: null, kb: null });
  observe(RESOLVED, '2016-09-01T10:00:00Z', 'Staged');
  observe(RESOLVED, '2016-09-01T10:01:00Z', 'Installed');
  assert.equal(store.packageRecords().find((record) => record.identity === RESOLVED)?.state, 'Installed');
  for (let i = 0; i < FACT_LIMITS.packages; i++) observe(`Package_for_KB${5000000 + i}~31bf3856ad364e35~amd64~~10.0.1.0`, '2016-09-01T10:02:00Z', 'Staged');
  assert.equal(store.packageRecords().some((record) => record.identity === RESOLVED), false);
  assert.equal(store.packageRecords().length, FACT_LIMITS.packages);
  observe(RESOLVED, '2016-09-01T10:03:00Z', 'Staged');
  assert.equal(store.packageRecords().find((record) => record.identity === RESOLVED)?.state, 'Staged');
});
