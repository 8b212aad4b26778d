// Configuration: defaults, environment overrides, durations and sizes, and one clear error listing every bad variable.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, configWarnings, loadConfig } from './config';

test('an empty environment gives the documented defaults', () => {
  const config = loadConfig({});
  assert.equal(config.port, 8080);
  assert.equal(config.dataDir, './data');
  assert.equal(config.trustProxy, false);
  assert.equal(config.staleAfterMs, 14 * 86_400_000);
  assert.equal(config.reportBodyLimitBytes, 8 * 1024 * 1024);
  assert.equal(config.basePath, '');
  assert.equal(config.adminPassword, undefined);
});

test('commits survive a crash by default (synchronous NORMAL); FULL for power loss and client timeouts are settable', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.sqliteSynchronous, 'NORMAL');
  assert.equal(defaults.requestTimeoutMs, 30_000);
  assert.equal(defaults.keepAliveTimeoutMs, 15_000);
  const set = loadConfig({ SQLITE_SYNCHRONOUS: 'FULL', REQUEST_TIMEOUT: '2m', KEEP_ALIVE_TIMEOUT: '65s' });
  assert.equal(set.sqliteSynchronous, 'FULL');
  assert.equal(set.requestTimeoutMs, 120_000);
  assert.equal(set.keepAliveTimeoutMs, 65_000);
  assert.throws(() => loadConfig({ SQLITE_SYNCHRONOUS: 'OFF' }), /SQLITE_SYNCHRONOUS/);
  assert.throws(() => loadConfig({ REQUEST_TIMEOUT: '200ms' }), /REQUEST_TIMEOUT must be at least 1s/);
});

test('sign-in throttling and password hashing limits default as documented and are settable', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.loginMaxFailures, 5);
  assert.equal(defaults.loginAccountMaxFailures, 100);
  assert.equal(defaults.loginAddressMaxFailures, 30);
  assert.equal(defaults.loginLockoutMs, 15 * 60_000);
  assert.equal(defaults.passwordHashConcurrency, 2);
  assert.equal(defaults.passwordHashQueue, 32);
  const set = loadConfig({ LOGIN_MAX_FAILURES: '3', LOGIN_ACCOUNT_MAX_FAILURES: '50', LOGIN_LOCKOUT: '30m', PASSWORD_HASH_CONCURRENCY: '4' });
  assert.equal(set.loginMaxFailures, 3);
  assert.equal(set.loginAccountMaxFailures, 50);
  assert.equal(set.loginLockoutMs, 30 * 60_000);
  assert.equal(set.passwordHashConcurrency, 4);
  assert.throws(() => loadConfig({ LOGIN_MAX_FAILURES: '10', LOGIN_ACCOUNT_MAX_FAILURES: '5' }), /LOGIN_ACCOUNT_MAX_FAILURES must be at least LOGIN_MAX_FAILURES/);
});

test('TRUST_PROXY=true is the one proxy setting warned about', () => {
  assert.equal(configWarnings(loadConfig({ TRUST_PROXY: 'true' })).length, 1);
  assert.match(configWarnings(loadConfig({ TRUST_PROXY: 'true' }))[0]!, /hop count/);
  for (const value of ['false', '1', 'loopback', '10.0.0.5']) assert.deepEqual(configWarnings(loadConfig({ TRUST_PROXY: value })), [], value);
});

test('log analyses: two at once, a zip unpacking to 1 GiB and 100 times its size at most by default; each settable', () => {
  const defaults = loadConfig({});
  assert.equal(defaults.analyzeConcurrency, 2);
  assert.equal(defaults.analyzeZipMaxUnpackedBytes, 1024 ** 3);
  assert.equal(defaults.analyzeZipMaxRatio, 100);
  const set = loadConfig({ ANALYZE_CONCURRENCY: '4', ANALYZE_ZIP_MAX_UNPACKED: '256mb', ANALYZE_ZIP_MAX_RATIO: '50' });
  assert.equal(set.analyzeConcurrency, 4);
  assert.equal(set.analyzeZipMaxUnpackedBytes, 256 * 1024 ** 2);
  assert.equal(set.analyzeZipMaxRatio, 50);
  assert.throws(() => loadConfig({ ANALYZE_CONCURRENCY: '0' }), /ANALYZE_CONCURRENCY/);
});

test('environment variables override, with durations, sizes and proxy settings parsed', () => {
  const config = loadConfig({
    PORT: '9090',
    DATA_DIR: '/srv/patchlens',
    STALE_AFTER: '36h',
    REPORT_BODY_LIMIT: '512kb',
    TRUST_PROXY: 'loopback, 10.0.0.0/8',
    BASE_PATH: '/patchlens/',
    ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    PATCHLENS_ADMIN_PASSWORD: 'a long enough password',
  });
  assert.equal(config.port, 9090);
  assert.equal(config.dataDir, '/srv/patchlens');
  assert.equal(config.staleAfterMs, 36 * 3_600_000);
  assert.equal(config.reportBodyLimitBytes, 512 * 1024);
  assert.equal(config.trustProxy, 'loopback, 10.0.0.0/8');
  assert.equal(config.basePath, '/patchlens');
  assert.deepEqual(config.allowedOrigins, ['https://a.example', 'https://b.example']);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
});

test('a JSON config file is read, and environment variables win over it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'patchlens-config-'));
  const file = join(dir, 'patchlens.json');
  writeFileSync(file, JSON.stringify({ port: 7000, staleAfterMs: '2d', dataDir: '/from/file' }));
  const config = loadConfig({ PATCHLENS_CONFIG: file, DATA_DIR: '/from/env' });
  assert.equal(config.port, 7000);
  assert.equal(config.staleAfterMs, 2 * 86_400_000);
  assert.equal(config.dataDir, '/from/env');
  assert.throws(() => loadConfig({ PATCHLENS_CONFIG: join(dir, 'missing.json') }), /cannot read config file/);
});

test('bad values fail with one error naming every variable', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', STALE_AFTER: 'soon', REPORT_BODY_LIMIT: 'huge', PATCHLENS_ADMIN_PASSWORD: 'short' }),
    (err: unknown) =>
      err instanceof ConfigError &&
      /PORT/.test(err.message) &&
      /STALE_AFTER: "soon" is not a duration/.test(err.message) &&
      /REPORT_BODY_LIMIT: "huge" is not a size/.test(err.message) &&
      /PATCHLENS_ADMIN_PASSWORD must be at least 12 characters/.test(err.message),
  );
  assert.throws(() => loadConfig({ TLS_CERT: '/etc/cert.pem' }), /TLS_CERT: TLS_CERT and TLS_KEY must be given together/);
  assert.throws(() => loadConfig({ LIVE_INTERVAL: '100ms' }), /LIVE_INTERVAL must be at least 250ms/);
});
