// Live sockets end with their credential: sign-out, disable and token revocation close them at once with `session:expired`; the CLI's direct database changes and session expiry within LIVE_RECHECK.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, SessionExpired } from '../../protocol/socket-events';
import { ManualClock } from '../../server/clock';
import { databasePath } from '../../server/storage/sqlite/storage';
import { login, startTestServer, type Session, type TestServer } from '../server/harness';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Slack on a loaded 2-core machine for anything due at once (an in-process change) or after one short re-check. */
const PROMPT_MS = 3_000;
const ROOT = new URL('../../', import.meta.url).pathname;

function open(server: TestServer, auth: { cookie?: string; token?: string }): Promise<Client> {
  const socket: Client = connect(server.url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: auth.cookie ? { Cookie: auth.cookie } : {},
    auth: auth.token ? { token: auth.token } : {},
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

interface Ending {
  /** The reason the server gave, and how long after the change the socket was closed. */
  reason: SessionExpired['reason'];
  afterMs: number;
}

/**
 * Starts listening for the server to end `socket`; the returned function, called right after the change,
 * resolves once the server said why (`session:expired`) and closed the socket, and fails past `boundMs`.
 */
function awaitEnd(socket: Client): (boundMs: number) => Promise<Ending> {
  let reason: SessionExpired['reason'] | null = null;
  socket.once('session:expired', (info) => (reason = info.reason));
  const closed = new Promise<{ why: string; at: number }>((resolve) => socket.once('disconnect', (why) => resolve({ why, at: Date.now() })));
  return async (boundMs) => {
    const from = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), boundMs)));
    const result = await Promise.race([closed, bound]);
    clearTimeout(timer);
    socket.close();
    if (!result) throw new Error(`socket still open ${boundMs} ms after its credential ended`);
    assert.equal(result.why, 'io server disconnect');
    if (!reason) throw new Error('the server closed the socket without saying why (no session:expired)');
    return { reason, afterMs: Math.max(0, result.at - from) };
  };
}

async function createViewer(server: TestServer, username: string): Promise<Session> {
  await server.patchlens.ctx.admin.createUser({ name: 'test', ip: null }, { username, role: 'viewer', password: 'viewer passphrase 2024' });
  return login(server, username, 'viewer passphrase 2024');
}

/** `npm run admin -- ARGS` as its own process on the server's DATA_DIR, as an operator would run it. */
function runAdminCli(dataDir: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/admin-cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`admin ${args.join(' ')} exited with ${code}: ${stderr}`));
    });
  });
}

describe('changes made through the server close live sockets at once (re-check interval left at 30 s)', () => {
  let server: TestServer;
  let admin: Session;
  before(async () => {
    server = await startTestServer({ config: { liveRecheckMs: 30_000 } });
    admin = await login(server);
  });
  after(() => server.close());

  test('signing out closes that session\'s socket with session:expired', async () => {
    const session = await login(server);
    const socket = await open(server, { cookie: session.cookie });
    const ending = awaitEnd(socket);
    await server.http.post('/api/v1/auth/logout').set('Cookie', session.cookie).set('X-CSRF-Token', session.csrf).expect(204);
    assert.equal((await ending(PROMPT_MS)).reason, 'revoked');
  });

  test('an admin disabling a user closes that user\'s sockets, and only those', async () => {
    const viewer = await createViewer(server, 'disabled.in.app');
    const socket = await open(server, { cookie: viewer.cookie });
    const bystander = await open(server, { cookie: admin.cookie });
    try {
      const ending = awaitEnd(socket);
      const { id } = (await server.storage.users.byUsername('disabled.in.app'))!;
      await server.http.patch(`/api/v1/admin/users/${id}`).set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrf).send({ disabled: true }).expect(200);
      assert.equal((await ending(PROMPT_MS)).reason, 'revoked');
      assert.ok(bystander.connected, 'the admin\'s own socket stays open');
      await assert.rejects(open(server, { cookie: viewer.cookie }), /unauthenticated/);
    } finally {
      bystander.close();
    }
  });

  test('revoking an API token closes its sockets', async () => {
    const created = await server.http.post('/api/v1/admin/tokens').set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrf).send({ name: 'script', role: 'viewer' }).expect(201);
    const { token, apiToken } = created.body as { token: string; apiToken: { id: number } };
    const socket = await open(server, { token });
    const ending = awaitEnd(socket);
    await server.http.delete(`/api/v1/admin/tokens/${apiToken.id}`).set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrf).expect(204);
    assert.equal((await ending(PROMPT_MS)).reason, 'revoked');
  });
});

describe('changes made by another process, and expiry, close live sockets within LIVE_RECHECK', () => {
  const RECHECK_MS = 300;
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ clock, config: { liveRecheckMs: RECHECK_MS, sessionTtlMs: 3_600_000 } });
  });
  after(() => server.close());

  test('`npm run admin -- user disable` closes the user\'s open socket, not the others', async () => {
    const viewer = await createViewer(server, 'disabled.by.cli');
    const admin = await login(server);
    const socket = await open(server, { cookie: viewer.cookie });
    const bystander = await open(server, { cookie: admin.cookie });
    try {
      const ending = awaitEnd(socket);
      await runAdminCli(server.dir, ['user', 'disable', 'disabled.by.cli']);
      const { reason, afterMs } = await ending(RECHECK_MS + PROMPT_MS);
      assert.equal(reason, 'revoked');
      assert.ok(afterMs <= RECHECK_MS + PROMPT_MS, `closed ${afterMs} ms after the CLI finished`);
      assert.ok(bystander.connected, 'a socket whose session still holds stays open');
      await server.patchlens.live.recheck();
      assert.ok(bystander.connected, 'and stays open across re-checks');
    } finally {
      bystander.close();
    }
  });

  test('a token revoked straight in the database (another process) closes its socket', async () => {
    const { token, info } = await server.patchlens.ctx.admin.createApiToken({ name: 'test', ip: null }, { name: 'elsewhere', role: 'viewer' });
    const socket = await open(server, { token });
    const ending = awaitEnd(socket);
    const other = new Database(databasePath(server.dir));
    try {
      other.pragma('busy_timeout = 5000');
      other.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?').run(Date.now(), info.id);
    } finally {
      other.close();
    }
    assert.equal((await ending(RECHECK_MS + PROMPT_MS)).reason, 'revoked');
  });

  test('a session that outlives its lifetime closes its socket with reason expired', async () => {
    const session = await login(server);
    const socket = await open(server, { cookie: session.cookie });
    const ending = awaitEnd(socket);
    clock.advance(3_600_000 + 1);
    assert.equal((await ending(RECHECK_MS + PROMPT_MS)).reason, 'expired');
  });
});
