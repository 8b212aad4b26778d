// Incremental log collection on verbatim captured logs: append, split records, rotation (.log and .cab), truncation, re-creation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServicingLogParser, scanPaths, type ParserSnapshot } from '../../parser';
import { collectLogs } from './logs';
import type { StoredCursor } from '../state/agent-state';
import { RecordedAdapter } from '../windows/recorded-adapter';
import { memoryLog } from '../../test/agent/support/memory-log';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/logs/${name}`, import.meta.url));
/** Three real failures from three captured logs: 0x80070308 (Win7), 0x80073712 (Server 2022 SSU), 0x800f0950 (Win10 1809). */
const A = fixture('win7-kb3172605-0x80070308.log');
const B = fixture('server2022-ssu-0x80073712.log');
const C = fixture('win10-1809-fod-0x800f0950.log');

interface Saved {
  cursors: Record<string, StoredCursor>;
  snapshot: ParserSnapshot | null;
}

function setup() {
  const root = mkdtempSync(join(tmpdir(), 'patchlens-logs-'));
  const logsDir = join(root, 'CBS');
  mkdirSync(logsDir);
  return { root, logsDir, tempRoot: join(root, 'tmp') };
}

/** One agent pass exactly as a cycle does it: restore from saved JSON, collect, keep facts and new state. */
async function pass(env: ReturnType<typeof setup>, saved: Saved, adapter = new RecordedAdapter('win32')) {
  const memory = memoryLog();
  const parser = saved.snapshot ? ServicingLogParser.restore(saved.snapshot) : new ServicingLogParser();
  const collected = await collectLogs({ logsDir: env.logsDir, cursors: saved.cursors, parser, adapter, tempRoot: env.tempRoot, log: memory.log });
  const facts = parser.result(false);
  const next: Saved = JSON.parse(JSON.stringify({ cursors: collected.cursors, snapshot: parser.snapshot() }));
  return { facts, saved: next, bytesRead: collected.bytesRead, warnings: memory.messages(), info: memory.messages(30) };
}

const failureCodes = (facts: { failures: { hresult: string }[] }) => facts.failures.map((failure) => failure.hresult).sort();
const fresh: Saved = { cursors: {}, snapshot: null };

test('append: a second pass reads only the appended bytes and adds only the new failure', async () => {
  const env = setup();
  const live = join(env.logsDir, 'CBS.log');
  writeFileSync(live, A);
  const first = await pass(env, fresh);
  assert.deepEqual(failureCodes(first.facts), ['0x80070308']);
  assert.equal(first.bytesRead, A.length);
  appendFileSync(live, B);
  const second = await pass(env, first.saved);
  assert.equal(second.bytesRead, B.length);
  assert.deepEqual(failureCodes(second.facts), ['0x80070308', '0x80073712']);
  const idle = await pass(env, second.saved);
  assert.equal(idle.bytesRead, 0);
  assert.deepEqual(failureCodes(idle.facts), ['0x80070308', '0x80073712']);
});

test('a record split across reads (half a line, then a multi-line record cut after its head) is parsed once, whole', async () => {
  const env = setup();
  const live = join(env.logsDir, 'CBS.log');
  const text = Buffer.concat([A, B]);
  const firstLineOfB = A.length + B.indexOf(10) + 1;
  const cuts = [A.length + 30, firstLineOfB, text.length];
  // Also cut inside A right after a CSI head whose `[gle=…]` continuation is on the next line.
  const continuation = A.indexOf('\n[gle=');
  assert.ok(continuation > 0, 'fixture has a continuation line');
  cuts.unshift(continuation + 1);
  let saved = fresh;
  let written = 0;
  for (const cut of cuts) {
    appendFileSync(live, text.subarray(written, cut));
    written = cut;
    saved = (await pass(env, saved)).saved;
    assert.ok((saved.cursors['CBS.log']?.offset ?? 0) <= cut);
  }
  const last = await pass(env, saved);
  const oneShot = await scanPaths([live]);
  assert.deepEqual(failureCodes(last.facts), failureCodes(oneShot));
  assert.deepEqual(
    last.facts.failures.map((failure) => failure.evidence),
    oneShot.failures.map((failure) => failure.evidence),
  );
});

test('rotation to CbsPersist_*.log: the unread tail of the old CBS.log is read from the rotated copy, nothing twice', async () => {
  const env = setup();
  const live = join(env.logsDir, 'CBS.log');
  writeFileSync(live, A);
  const first = await pass(env, fresh);
  appendFileSync(live, B); // written by Windows after our last pass, before rotation
  renameSync(live, join(env.logsDir, 'CbsPersist_20241121135522.log'));
  writeFileSync(live, C);
  const second = await pass(env, first.saved);
  assert.equal(second.bytesRead, B.length + C.length, 'A is not read again');
  assert.deepEqual(failureCodes(second.facts), ['0x80070308', '0x80073712', '0x800f0950']);
  assert.ok(second.info.some((message) => /rotated; continuing the rotated copy/.test(message)));
  const third = await pass(env, second.saved);
  assert.equal(third.bytesRead, 0);
});

test('rotation to a .cab: expanded with expand.exe into a temp folder that is removed afterwards', async () => {
  const env = setup();
  const live = join(env.logsDir, 'CBS.log');
  writeFileSync(live, A);
  const first = await pass(env, fresh);
  appendFileSync(live, B);
  const rotated = readFileSync(live);
  rmSync(live);
  const cab = join(env.logsDir, 'CbsPersist_20241121135522.cab');
  writeFileSync(cab, 'MSCF (recorded cabinet)');
  writeFileSync(live, C);
  const adapter = new RecordedAdapter('win32').answer('expand.exe', (call) => {
    writeFileSync(join(String(call.args[2]), 'CbsPersist_20241121135522.log'), rotated);
    return { code: 0, stdout: 'Microsoft (R) File Expansion Utility\r\n1 file total.\r\n', stderr: '' };
  });
  const second = await pass(env, first.saved, adapter);
  assert.deepEqual(adapter.calls[0]?.args.slice(0, 2), ['-F:*', cab]);
  assert.deepEqual(failureCodes(second.facts), ['0x80070308', '0x80073712', '0x800f0950']);
  assert.equal(second.bytesRead, B.length + C.length);
  assert.deepEqual(readdirSync(env.tempRoot), []);
  // The cabinet is never expanded again.
  await pass(env, second.saved, adapter);
  assert.equal(adapter.calls.length, 1);
});

test('a cabinet expand.exe cannot open is retried next cycle, and the rest is still collected', async () => {
  const env = setup();
  writeFileSync(join(env.logsDir, 'CbsPersist_20241121135522.cab'), 'damaged');
  writeFileSync(join(env.logsDir, 'CBS.log'), C);
  const broken = new RecordedAdapter('win32').answer('expand.exe', { code: 1, stdout: '', stderr: 'Can\'t open input file' });
  const first = await pass(env, fresh, broken);
  assert.deepEqual(failureCodes(first.facts), ['0x800f0950']);
  assert.ok(first.warnings.some((message) => /retried next cycle/.test(message)));
  assert.equal(first.saved.cursors['CbsPersist_20241121135522.cab'], undefined);
});

test('truncation: the file is read again from the start and earlier facts are not counted twice', async () => {
  const env = setup();
  const live = join(env.logsDir, 'CBS.log');
  writeFileSync(live, Buffer.concat([A, B]));
  const first = await pass(env, fresh);
  truncateSync(live, A.length);
  appendFileSync(live, C.subarray(0, Math.min(C.length, B.length - 1)));
  const second = await pass(env, first.saved);
  assert.ok(second.bytesRead > A.length && second.bytesRead <= statSync(live).size, 'read again from 0');
  const codes = failureCodes(second.facts);
  assert.equal(codes.filter((code) => code === '0x80070308').length, 1);
  assert.ok(codes.includes('0x80073712'), 'facts found before the truncation are kept');
});

test('re-creation without a rotated copy: the new CBS.log is read from 0 and the gap is reported', async () => {
  const env = setup();
  const live = join(env.logsDir, 'CBS.log');
  writeFileSync(live, A);
  const first = await pass(env, fresh);
  rmSync(live);
  writeFileSync(live, B);
  const second = await pass(env, first.saved);
  assert.deepEqual(failureCodes(second.facts), ['0x80070308', '0x80073712']);
  assert.ok(second.warnings.some((message) => /rotated copy was not found/.test(message)));
});

test('a CbsPersist file appearing between runs is read in full once', async () => {
  const env = setup();
  writeFileSync(join(env.logsDir, 'CBS.log'), C);
  const first = await pass(env, fresh);
  copyFileSync(new URL('../../test/fixtures/logs/server2022-ssu-0x80073712.log', import.meta.url), join(env.logsDir, 'CbsPersist_20250227115835.log'));
  const second = await pass(env, first.saved);
  assert.equal(second.bytesRead, B.length);
  assert.deepEqual(failureCodes(second.facts), ['0x80073712', '0x800f0950']);
  assert.equal((await pass(env, second.saved)).bytesRead, 0);
});
