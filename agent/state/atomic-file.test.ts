// Atomic writes: text of any size lands byte for byte as UTF-8; staged content takes effect only on commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageFile, sweepTempFiles, writeFileAtomic } from './atomic-file';

test('text larger than the encoding window, with multi-byte characters across its edges, is written as its exact UTF-8', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-atomic-'));
  // 1-, 2-, 3- and 4-byte characters in a pattern that lands on every offset of a 64 KiB window.
  const text = `{"host":"${'aé€😀'.repeat(40_000)}","tail":"ü"}`;
  writeFileAtomic(join(dir, 'report.json'), text);
  assert.deepEqual(readFileSync(join(dir, 'report.json')), Buffer.from(text, 'utf8'));
  writeFileAtomic(join(dir, 'empty.json'), '');
  assert.equal(readFileSync(join(dir, 'empty.json'), 'utf8'), '');
});

test('staged content replaces the target only on commit; discarded or abandoned, the old content stays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-atomic-'));
  const target = join(dir, 'state.json');
  writeFileSync(target, 'old');
  stageFile(target, 'discarded').discard();
  assert.equal(readFileSync(target, 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir), ['state.json']);

  stageFile(target, 'abandoned by a killed process');
  assert.equal(readFileSync(target, 'utf8'), 'old');
  assert.equal(sweepTempFiles(dir), 1);
  assert.deepEqual(readdirSync(dir), ['state.json']);

  const staged = stageFile(target, 'new');
  assert.equal(readFileSync(target, 'utf8'), 'old');
  staged.commit();
  assert.equal(readFileSync(target, 'utf8'), 'new');
  assert.deepEqual(readdirSync(dir), ['state.json']);
});
