// Configuration: file + flags, defaults per OS, and the messages an admin sees for each mistake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, parseSpoolLimit } from './config';
import { ConfigError } from './config-error';

const files = (content: Record<string, string>) => (path: string) => {
  const text = content[path];
  if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
  return text;
};

test('Windows defaults: ProgramData state, %windir%\\Logs\\CBS, 15-minute schedule, 20 MB spool', () => {
  const config = loadConfig({ argv: [], platform: 'win32', env: { ProgramData: 'C:\\ProgramData', windir: 'C:\\Windows' } });
  assert.match(config.stateDir, /ProgramData.PatchLens$/);
  assert.match(config.logsDir ?? '', /Windows.Logs.CBS$/);
  assert.equal(config.schedule, '*/15 * * * *');
  assert.equal(config.spoolLimitBytes, 20 * 1024 * 1024);
  assert.equal(config.logLevel, 'warn');
});

test('flags override the config file', () => {
  const config = loadConfig({
    argv: ['--config', 'agent.json', '--server', 'https://override.example', '--state-dir', '/tmp/s', '--spool-limit', '5MB'],
    platform: 'linux',
    env: {},
    readFile: files({ 'agent.json': JSON.stringify({ server: 'https://patchlens.bank.example', schedule: '*/5 * * * *', logsDir: '/logs' }) }),
  });
  assert.equal(config.server, 'https://override.example');
  assert.equal(config.schedule, '*/5 * * * *');
  assert.equal(config.logsDir, '/logs');
  assert.equal(config.stateDir, '/tmp/s');
  assert.equal(config.spoolLimitBytes, 5 * 1024 * 1024);
});

test('config mistakes name the file and the field', () => {
  const load = (json: string) => () => loadConfig({ argv: ['--config', 'c.json'], platform: 'linux', env: {}, readFile: files({ 'c.json': json }) });
  assert.throws(load('{"server": "https://x", "spoolLimit": 5}'), (error: Error) => error instanceof ConfigError && /c\.json is invalid: .*spoolLimit/.test(error.message));
  assert.throws(load('{"retryBaseSeconds": 2}'), /retryBaseSeconds/);
  assert.throws(load('{"server": '), /c\.json is not valid JSON/);
  assert.throws(() => loadConfig({ argv: ['--config', 'nope.json'], platform: 'linux', env: {}, readFile: files({}) }), /cannot read config file nope\.json: ENOENT/);
  assert.throws(() => loadConfig({ argv: ['--bogus'], platform: 'linux', env: {} }), ConfigError);
});

test('plain http only to loopback unless --allow-http', () => {
  for (const server of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080', 'http://127.3.4.5']) {
    assert.equal(loadConfig({ argv: ['--server', server], platform: 'linux', env: {} }).server, server);
  }
  assert.throws(() => loadConfig({ argv: ['--server', 'http://patchlens.bank.example'], platform: 'linux', env: {} }), /--allow-http/);
  assert.equal(loadConfig({ argv: ['--server', 'http://patchlens.bank.example', '--allow-http'], platform: 'linux', env: {} }).allowHttp, true);
  assert.throws(() => loadConfig({ argv: ['--server', 'ftp://x'], platform: 'linux', env: {} }), /https:\/\//);
});

test('spool sizes', () => {
  assert.equal(parseSpoolLimit('20MB'), 20 * 1024 * 1024);
  assert.equal(parseSpoolLimit('512k'), 512 * 1024);
  assert.equal(parseSpoolLimit('1GiB'), 1024 ** 3);
  assert.throws(() => parseSpoolLimit('10'), /at least 256KB/);
  assert.throws(() => parseSpoolLimit('lots'), /size such as 20MB/);
});
