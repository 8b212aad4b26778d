// Reading the session cookie from a Cookie header as browsers and proxies send it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SESSION_COOKIE } from '../../protocol/api';
import { sessionIdOf } from './authenticator';

test('the session id among other cookies, with spaces, quotes and percent-encoding as clients send them', () => {
  assert.equal(sessionIdOf(`theme=dark; ${SESSION_COOKIE}=abc123; lang=pl`), 'abc123');
  assert.equal(sessionIdOf(`${SESSION_COOKIE} = "abc123"`), 'abc123');
  assert.equal(sessionIdOf(`${SESSION_COOKIE}=a%2Bb`), 'a+b');
  assert.equal(sessionIdOf(`${SESSION_COOKIE}=bad%zz`), 'bad%zz');
});

test('the first session cookie wins when a client sends several (a path-scoped one comes first)', () => {
  assert.equal(sessionIdOf(`${SESSION_COOKIE}=first; ${SESSION_COOKIE}=second`), 'first');
});

test('no header, no session cookie or an empty value: no session', () => {
  assert.equal(sessionIdOf(undefined), null);
  assert.equal(sessionIdOf(''), null);
  assert.equal(sessionIdOf('theme=dark'), null);
  assert.equal(sessionIdOf(`${SESSION_COOKIE}=`), null);
  assert.equal(sessionIdOf(`x${SESSION_COOKIE}=abc`), null);
});
