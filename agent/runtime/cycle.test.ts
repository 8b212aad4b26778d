// A cycle reports a failure whose record is the last thing in CBS.log, without waiting for lines that may never come.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectAndSpool } from './cycle';
import { Spool } from '../ship/spool';
import { silentLogger } from '../log';
import { windowsEnvironment } from '../../test/agent/support/windows-environment';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/logs/${name}`, import.meta.url), 'latin1');

function agentOn(cbsLog: string) {
  const work = mkdtempSync(join(tmpdir(), 'patchlens-cycle-'));
  const logsDir = join(work, 'CBS');
  const stateDir = join(work, 'state');
  mkdirSync(logsDir);
  writeFileSync(join(logsDir, 'CBS.log'), cbsLog, 'latin1');
  const log = silentLogger();
  const spool = new Spool(stateDir, 20 * 1024 * 1024, log);
  const env = windowsEnvironment();
  const cycle = () => collectAndSpool({ stateDir, logsDir, spool, adapter: env.adapter, log, now: () => new Date('2025-01-01T00:00:00Z'), deviceId: 'pc-1', hostname: 'PC-1' });
  return { cycle, append: (text: string) => appendFileSync(join(logsDir, 'CBS.log'), text, 'latin1') };
}

test('a WER line that is the last line of CBS.log is reported in the same cycle, and once when more lines follow', async () => {
  const log = fixture('win7-kb3172605-0x80070308.log');
  const werEnd = log.indexOf('\n', log.indexOf('WER: Generating failure report')) + 1;
  const agent = agentOn(log.slice(0, werEnd));

  const first = await agent.cycle();
  assert.deepEqual(first.report.failures.map((failure) => [failure.kb, failure.hresult, failure.failureSource]), [['KB3172605', '0x80070308', 'Execute']]);

  agent.append(log.slice(werEnd));
  const second = await agent.cycle();
  assert.deepEqual(second.report.failures.map((failure) => [failure.kb, failure.hresult, failure.at]), first.report.failures.map((failure) => [failure.kb, failure.hresult, failure.at]));
});

test('a failure that ends an attempt without a WER report (servicing-stack prerequisite) is reported while it is the last line', async () => {
  const agent = agentOn(fixture('server2016-prerequisite-0x800f0823.log'));
  const first = await agent.cycle();
  assert.deepEqual(first.report.failures.map((failure) => [failure.kb, failure.hresult]), [['KB5012170', '0x800f0823']]);
  const second = await agent.cycle();
  assert.equal(second.report.failures.length, 1, 'the next cycle restates it, never twice');
});
