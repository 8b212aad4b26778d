// Reports built from every captured servicing log are Report v1 as they are: the agent sends them without a second schema pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateCatalog } from '../../protocol/catalog';
import { reportSchema } from '../../protocol/report';
import { scanFile, ServicingLogParser } from '../../parser';
import { collectInventory } from '../collect/inventory';
import { windowsEnvironment } from '../../test/agent/support/windows-environment';
import { reportedFacts } from './cycle';
import { buildReport } from './report-builder';

const FOLDERS = ['../../test/fixtures/logs', '../../test/fixtures/families'].map((folder) => fileURLToPath(new URL(folder, import.meta.url)));
const LOGS = FOLDERS.flatMap((folder) => readdirSync(folder).filter((name) => name.endsWith('.log')).map((name) => join(folder, name)));

async function reportFrom(paths: string[], hostname = 'PC-0042') {
  const inventory = await collectInventory(windowsEnvironment().adapter);
  const parser = new ServicingLogParser({ catalog: updateCatalog(), utcOffsetMinutes: inventory?.device.utcOffsetMinutes ?? null });
  for (const path of paths) await scanFile(parser, path, null);
  return buildReport({
    reportId: 'r-0000-fixture',
    sequence: 7,
    generatedAt: new Date('2025-01-01T00:00:00Z'),
    identity: { deviceId: 'pc-0042', hostname },
    facts: reportedFacts(parser),
    inventory,
  });
}

test('every captured log, alone and all in one state, builds a report the Report v1 schema accepts unchanged', async () => {
  assert.ok(LOGS.length >= 20, `captured logs found: ${LOGS.length}`);
  for (const paths of [...LOGS.map((path) => [path]), LOGS]) {
    const report = await reportFrom(paths);
    const parsed = reportSchema.safeParse(report);
    assert.ok(parsed.success, `${paths.length === 1 ? paths[0] : 'all logs'}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`);
    assert.equal(JSON.stringify(parsed.data), JSON.stringify(report), 'the schema changes nothing: no extra, missing or reordered field');
  }
  const all = await reportFrom(LOGS);
  assert.ok(all.failures.length > 5 && all.corruption.length > 5 && all.scans.length > 3 && all.hotfixes.length > 0, 'the fixtures exercise every fact kind');
});

test('a device value from the system that Report v1 would refuse stops the report with the field named', async () => {
  await assert.rejects(reportFrom([LOGS[0] ?? ''], 'H'.repeat(300)), /built report does not match Report v1 at device\.hostname/);
});
