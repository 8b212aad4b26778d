// The ingest queue: reports are answered only after their batch commits, waiting reports share one commit, a full queue sheds load.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../clock';
import { AppError } from '../errors';
import { EventBus } from '../live/event-bus';
import type { IngestBatchResult, IngestItem, ReportRepository } from '../storage/repository';
import { IngestQueue } from './ingest-queue';

/** A report store whose commits wait until the test lets them through. */
function heldRepository() {
  const commits: { items: IngestItem[]; release: () => void }[] = [];
  const repo = {
    ingestBatch(items: IngestItem[]): Promise<IngestBatchResult> {
      return new Promise((resolve) => {
        commits.push({
          items,
          release: () =>
            resolve({
              outcomes: items.map((i) => ({ status: 'applied', reportId: i.report.reportId, changedSections: [], change: null })),
              counters: { devices: { total: items.length } },
            }),
        });
      });
    },
  } as unknown as ReportRepository;
  return { repo, commits };
}

const item = (n: number) => ({ report: { reportId: `report-${n}` }, rawBody: '{}', deviceId: `d${n}`, receivedAt: 0 }) as unknown as IngestItem;
const tick = () => new Promise((resolve) => setImmediate(resolve));
/** Waits (bounded) until the queue has started `n` commits. */
async function commitsStarted(commits: unknown[], n: number): Promise<void> {
  for (let i = 0; i < 100 && commits.length < n; i++) await tick();
  assert.equal(commits.length, n);
}

test('reports waiting while a commit runs share the next commit, and each is answered only after its commit', async () => {
  const { repo, commits } = heldRepository();
  const bus = new EventBus();
  const committed: number[] = [];
  bus.on('reports.committed', ({ accepted }) => committed.push(accepted));
  const queue = new IngestQueue({ reports: repo, projections: [], bus, clock: new ManualClock(), capacity: 100, batchSize: 50 });

  const answered: string[] = [];
  const first = queue.submit(item(0)).then((o) => answered.push(o.reportId));
  await tick();
  assert.equal(commits.length, 1);
  // 12 stays below the queue's smallest batch (16), so the test does not depend on the measured commit rate.
  const rest = Array.from({ length: 12 }, (_, i) => queue.submit(item(i + 1)).then((o) => answered.push(o.reportId)));
  await tick();
  assert.equal(commits.length, 1, 'no second commit while the first is running');
  assert.deepEqual(answered, [], 'nothing is answered before its commit');

  commits[0]!.release();
  await first;
  assert.deepEqual(answered, ['report-0']);
  await commitsStarted(commits, 2);
  assert.equal(commits[1]!.items.length, 12, 'the 12 waiting reports go in one transaction');
  commits[1]!.release();
  await Promise.all(rest);
  assert.equal(answered.length, 13);
  assert.deepEqual(committed, [1, 12]);
  assert.equal(queue.stats.committedBatches, 2);
});

test('a full queue refuses with 429 overloaded and a Retry-After, and accepts again once drained', async () => {
  const { repo, commits } = heldRepository();
  const queue = new IngestQueue({ reports: repo, projections: [], bus: new EventBus(), clock: new ManualClock(), capacity: 3, batchSize: 10 });
  const held = queue.submit(item(0));
  await tick();
  const waiting = [1, 2, 3].map((n) => queue.submit(item(n)));
  assert.throws(
    () => queue.submit(item(4)),
    (err: unknown) => err instanceof AppError && err.status === 429 && err.code === 'overloaded' && Number(err.headers['Retry-After']) >= 1,
  );
  commits[0]!.release();
  await held;
  await commitsStarted(commits, 2);
  commits[1]!.release();
  await Promise.all(waiting);
  const after = queue.submit(item(5));
  await commitsStarted(commits, 3);
  commits[2]!.release();
  assert.equal((await after).reportId, 'report-5');
});

test('the byte bound sheds large reports even when few are waiting', async () => {
  const { repo, commits } = heldRepository();
  const queue = new IngestQueue({ reports: repo, projections: [], bus: new EventBus(), clock: new ManualClock(), capacity: 100, capacityBytes: 10, batchSize: 10 });
  const big = (n: number) => ({ ...item(n), rawBody: '123456' }) as IngestItem;
  const held = queue.submit(big(0));
  await tick();
  const waiting = queue.submit(big(1));
  assert.throws(() => queue.submit(big(2)), (err: unknown) => err instanceof AppError && err.status === 429);
  commits[0]!.release();
  await held;
  await commitsStarted(commits, 2);
  commits[1]!.release();
  await waiting;
});

test('close() waits for queued reports to commit and then refuses new ones with 503', async () => {
  const { repo, commits } = heldRepository();
  const queue = new IngestQueue({ reports: repo, projections: [], bus: new EventBus(), clock: new ManualClock(), capacity: 10, batchSize: 10 });
  const pending = queue.submit(item(1));
  await tick();
  let closed = false;
  const closing = queue.close().then(() => (closed = true));
  assert.throws(() => queue.submit(item(2)), (err: unknown) => err instanceof AppError && err.status === 503);
  await tick();
  assert.equal(closed, false);
  commits[0]!.release();
  await pending;
  await closing;
  assert.equal(closed, true);
});
