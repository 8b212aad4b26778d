// Every family fixture through the real parser (framer, noise filter, dispatcher, fact store): what a scan reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanPaths } from '../index';
import { corruptionSchema, scanSchema } from '../../protocol/report';
import { fixture } from './test-kit';

interface Expected {
  corruption: number;
  /** `tool:detected.total` per scan, in order. */
  scans: string[];
}

/** Entries the fact store merges (same family, kind, version, file and source) count once. */
const EXPECTED: Readonly<Record<string, Expected>> = {
  'csi-marked-deleted-26100.log': { corruption: 1, scans: [] },
  'csi-package-marker-9600.log': { corruption: 1, scans: [] },
  'csi-store-corrupt-20348.log': { corruption: 1, scans: [] },
  'sfc-20348.log': { corruption: 2, scans: [] },
  'sfc-22621.log': { corruption: 2, scans: [] },
  'sfc-26100-deploy.log': { corruption: 2, scans: ['sfc:2'] },
  'sfc-26100-repairing-file.log': { corruption: 1, scans: [] },
  'sfc-26100-verify-batch.log': { corruption: 0, scans: ['sfc:0'] },
  'sfc-deploy-failed-22000.log': { corruption: 1, scans: [] },
  'sfc-kb928228.log': { corruption: 5, scans: ['sfc:5'] },
  'sfc-win7-x64.log': { corruption: 1, scans: ['sfc:1'] },
  'sur-14393.log': { corruption: 3, scans: ['dism:10'] },
  'sur-19041-msdocs.log': { corruption: 4, scans: ['dism:4'] },
  'sur-19045-msdocs-2025.log': { corruption: 2, scans: ['dism:2'] },
  'sur-26100-restorehealth.log': { corruption: 3, scans: ['dism:328'] },
  'sur-26100-scanhealth.log': { corruption: 0, scans: ['dism:328'] },
  'sur-detect-only-2021.log': { corruption: 0, scans: ['dism:0'] },
  'sur-rows-14393.log': { corruption: 3, scans: [] },
  'checksur/header-no-package-version/CheckSUR.log': { corruption: 0, scans: ['checksur:0'] },
  'checksur/header-package-version/CheckSUR.log': { corruption: 3, scans: ['checksur:3'] },
  'checksur/rows-file-first/CheckSUR.log': { corruption: 1, scans: [] },
  'checksur/rows-free-text/CheckSUR.log': { corruption: 1, scans: [] },
  'checksur/rows-glued/CheckSUR.log': { corruption: 1, scans: [] },
  'checksur/rows-kb2700601/CheckSUR.log': { corruption: 3, scans: [] },
  'checksur/rows-mum-fix/CheckSUR.log': { corruption: 3, scans: [] },
  'checksur/rows-mum-missing-fix/CheckSUR.log': { corruption: 1, scans: [] },
  'checksur/rows-raw-bytes/CheckSUR.log': { corruption: 3, scans: [] },
  'checksur/summary-fix-count/CheckSUR.log': { corruption: 0, scans: ['checksur:3'] },
  'checksur/summary-fixed/CheckSUR.log': { corruption: 0, scans: ['checksur:10'] },
  'checksur/summary-flattened/CheckSUR.log': { corruption: 0, scans: ['checksur:6856'] },
  'checksur/summary-total-count/CheckSUR.log': { corruption: 0, scans: ['checksur:4'] },
  'checksur/summary-unavailable/CheckSUR.log': { corruption: 0, scans: ['checksur:3'] },
};

for (const [name, expected] of Object.entries(EXPECTED)) {
  test(`${name}: ${expected.corruption} corruption entries, scans ${expected.scans.join(', ') || 'none'}`, async () => {
    const facts = await scanPaths([fixture(name)]);
    for (const entry of facts.corruption) corruptionSchema.parse(entry);
    for (const scan of facts.scans) scanSchema.parse(scan);
    assert.equal(facts.corruption.length, expected.corruption);
    assert.deepEqual(facts.scans.map((scan) => `${scan.tool}:${scan.detected.total}`), expected.scans);
    if (!name.startsWith('csi-package-marker')) {
      assert.equal(facts.parse.unrecognizedLines, 0, 'every line of the family is understood');
    }
  });
}

test('a CheckSUR header is never taken for a DISM block, and a CBS SUR block never for CheckSUR', async () => {
  const checksur = await scanPaths([fixture('checksur/header-package-version/CheckSUR.log')]);
  assert.deepEqual(checksur.scans.map((scan) => scan.tool), ['checksur']);
  assert.ok(checksur.corruption.every((entry) => entry.source === 'checksur'));
  const cbs = await scanPaths([fixture('sur-14393.log')]);
  assert.deepEqual(cbs.scans.map((scan) => scan.tool), ['dism']);
  assert.ok(cbs.corruption.every((entry) => entry.source === 'sur'));
});

test('an SFC run cut by log rotation (CbsPersist_*.log, then CBS.log) is still one run', async () => {
  const lines = readFileSync(fixture('sfc-26100-deploy.log'), 'utf8').split('\r\n');
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-rotation-'));
  try {
    writeFileSync(join(dir, 'CbsPersist_20260925181352.log'), lines.slice(0, 3).join('\r\n') + '\r\n');
    writeFileSync(join(dir, 'CBS.log'), lines.slice(3).join('\r\n'));
    const facts = await scanPaths([dir]);
    assert.equal(facts.scans.length, 1);
    assert.equal(facts.scans[0]?.interrupted, false);
    assert.equal(facts.scans[0]?.componentsVerified, 2);
    assert.equal(facts.scans[0]?.repaired.total, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
