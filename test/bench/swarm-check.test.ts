// The benchmarks' check that bare engine.io dashboards received what the socket.io-client witness received.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareWithWitness } from './swarm-check';

const witness = ['live:tick#1', 'device:updated', 'live:tick#2', 'live:tick', 'live:tick#3', 'live:tick#4'];

test('a dashboard that connected later and closed earlier matches over the deltas both received', () => {
  const check = compareWithWitness(witness, [['live:tick#2', 'live:tick', 'live:tick#3'], witness]);
  assert.deepEqual(check, { dashboards: 2, matching: 2, fewestCompared: 3, firstMismatch: null });
});

test('a missing or extra message between shared deltas is a mismatch, named in the message', () => {
  const missing = compareWithWitness(witness, [['live:tick#2', 'live:tick#3']]);
  assert.equal(missing.matching, 0);
  assert.match(missing.firstMismatch!, /dashboard 1: event 1: live:tick#3 where the witness got live:tick/);
  const extra = compareWithWitness(witness, [['live:tick#1', 'device:updated', 'device:updated', 'live:tick#2']]);
  assert.equal(extra.matching, 0);
});

test('a dashboard without any delta the witness saw does not match', () => {
  const check = compareWithWitness(witness, [[], ['live:tick#9']]);
  assert.equal(check.matching, 0);
  assert.match(check.firstMismatch!, /no fleet delta in common/);
});
