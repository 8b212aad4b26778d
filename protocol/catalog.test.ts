// Catalog lookups that the parser and the remediation engine depend on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { updateCatalog, servicingFamily } from './catalog';
import { DATA_FILES, renderModule } from '../scripts/gen-data.mjs';

const catalog = updateCatalog();

test('RollupFix 19041.4894 maps to KB5043064 (September 2024 LCU)', () => {
  assert.equal(catalog.kbForRollupVersion('19041.4894.1.9'), 'KB5043064');
});

test('RollupFix on Windows 11 and Server maps by exact build', () => {
  assert.equal(catalog.kbForRollupVersion('22621.819.1.5'), 'KB5019980');
  assert.equal(catalog.kbForRollupVersion('20348.1249.1.2'), 'KB5019081');
});

test('ServicingStack_4585 maps to SSU KB5039336', () => {
  assert.equal(catalog.kbForServicingStack(4585, 19041), 'KB5039336');
  assert.equal(catalog.kbForServicingStack(4585), 'KB5039336');
  assert.equal(catalog.kbForServicingStack(3081, 20348), null);
});

test('component version 10.0.19041.3636 was shipped by KB5031445', () => {
  const entry = catalog.updateForComponentVersion('10.0.19041.3636');
  assert.equal(entry?.kb, 'KB5031445');
  assert.equal(entry?.build, '19045.3636');
  assert.equal(catalog.updateForComponentVersion('10.0.19041.746'), null, 'before the catalog starts');
});

test('a later cumulative update satisfies an earlier one of the same family only', () => {
  assert.equal(catalog.satisfies('KB5043064', 'KB5036892'), true);
  assert.equal(catalog.satisfies('KB5036892', 'KB5043064'), false);
  assert.equal(catalog.satisfies('KB5019980', 'KB5036892'), false, 'Windows 11 does not satisfy Windows 10');
  assert.equal(servicingFamily(19045), 19041);
});

test('the embedded data modules match the shipped TSV files', () => {
  for (const file of DATA_FILES) {
    const tsv = readFileSync(new URL('../' + file.tsv, import.meta.url), 'utf8');
    const module = readFileSync(new URL('../' + file.module, import.meta.url), 'utf8');
    assert.equal(module, renderModule(file, tsv), `${file.module} is stale: run node scripts/gen-data.mjs`);
  }
});
