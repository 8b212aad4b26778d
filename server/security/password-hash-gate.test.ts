// The password hash gate: a few checks at once, a bounded queue and wait, a cap per address, 429 beyond.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../errors';
import { PasswordHashGate } from './password-hash-gate';

/** A check that finishes when told to. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { finish, check: () => done.then(() => true) };
}

const isBusy = (err: unknown) => err instanceof AppError && err.status === 429 && Number(err.headers['Retry-After']) >= 1;

test('runs up to the concurrency at once and hands each freed slot to the next waiter in order', async () => {
  const gate = new PasswordHashGate({ concurrency: 2, queue: 10, perAddress: 10, maxWaitMs: 10_000 });
  const started: number[] = [];
  const checks = [held(), held(), held(), held()];
  const runs = checks.map((c, i) => gate.run(`10.0.0.${i}`, () => (started.push(i), c.check())));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1]);
  checks[1]!.finish();
  await runs[1];
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(started, [0, 1, 2]);
  for (const c of checks) c.finish();
  assert.deepEqual(await Promise.all(runs), [true, true, true, true]);
});

test('one address gets at most its share; the queue and the wait are bounded; each refusal is 429 with Retry-After', async () => {
  const gate = new PasswordHashGate({ concurrency: 1, queue: 2, perAddress: 2, maxWaitMs: 50 });
  const first = held();
  const running = gate.run('a', first.check);
  const waiting = gate.run('a', async () => true);
  await assert.rejects(gate.run('a', async () => true), isBusy, 'third check of one address');
  const otherWaiting = gate.run('b', async () => true);
  await assert.rejects(gate.run('c', async () => true), isBusy, 'queue full');
  // Nobody frees the slot within 50 ms: the waiters give up with 429.
  await assert.rejects(waiting, isBusy);
  await assert.rejects(otherWaiting, isBusy);
  first.finish();
  assert.equal(await running, true);
  // Everything released: the same address may check again.
  assert.equal(await gate.run('a', async () => true), true);
});
