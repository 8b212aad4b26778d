// Framed batches: what the framing thread writes is what the parsing thread reads back, field for field and in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FramedBatchReader, FramedBatchWriter, type FramedSink } from './framed-batch';
import type { LogKind, LogRecord } from './record';

type Event =
  | ['begin', number, LogKind, number]
  | ['record', LogRecord]
  | ['clock', string, string]
  | ['end', number, number]
  | ['progress', number, number, number];

function recorder(events: Event[]): FramedSink {
  return {
    beginFile: (index, kind, modifiedAt) => events.push(['begin', index, kind, modifiedAt]),
    record: (record) => events.push(['record', { ...record, continuation: [...record.continuation] }]),
    clockSample: (local, utc) => events.push(['clock', local, utc]),
    endFile: (bytes, lines) => events.push(['end', bytes, lines]),
    progress: (index, read, total) => events.push(['progress', index, read, total]),
  };
}

function record(fields: Partial<LogRecord>): LogRecord {
  return {
    time: null, level: null, messageId: null, component: '', csiSequence: null, csiUtc: null,
    text: '', continuation: [], raw: '', file: 'CBS.log', line: 1, ...fields,
  };
}

// Verbatim lines (cbs-formats.md §2.4, §1.4): the text is the end of the raw head line.
const FAILED = '2016-09-01 10:28:07, Error                 CBS    Failed to process single phase execution. [HRESULT = 0x80070308 - ERROR_REQUEST_OUT_OF_SEQUENCE]';
const CSI = '2024-05-14 09:12:31, Info                  CSI    00000012@2024/5/14:07:12:31.455 CSI Transaction @0x23adf60 destroyed';

test('records, clock samples and file events come back identical and in order, across batches', () => {
  const writer = new FramedBatchWriter();
  const sent: Event[] = [];
  const send = (event: Event, textAt = -1) => {
    sent.push(event);
    if (event[0] === 'begin') writer.beginFile(event[1], event[2], event[3]);
    else if (event[0] === 'record') writer.record(event[1], textAt);
    else if (event[0] === 'clock') writer.clockSample(event[1], event[2]);
    else if (event[0] === 'end') writer.endFile(event[1], event[2]);
    else writer.progress(event[1], event[2], event[3]);
  };
  const batches = [];
  send(['begin', 0, 'cbs', 1_726_000_000_123]);
  send(['record', record({
    time: '2016-09-01 10:28:07', level: 'Error', component: 'CBS', raw: FAILED, line: 7,
    text: 'Failed to process single phase execution. [HRESULT = 0x80070308 - ERROR_REQUEST_OUT_OF_SEQUENCE]',
  })], FAILED.indexOf('Failed'));
  send(['clock', '2024-05-14 09:12:31', '2024/5/14:07:12:31.455']);
  batches.push(writer.take());
  // Same second as the previous record, which sits in the previous batch.
  send(['record', record({
    time: '2016-09-01 10:28:07', level: 'Info', component: 'CSI', csiSequence: '00000012', csiUtc: '2024/5/14:07:12:31.455',
    raw: CSI, text: 'CSI Transaction @0x23adf60 destroyed', line: 8,
  })], CSI.indexOf('CSI Transaction'));
  // Decoded text outside Latin-1, a message that is not the end of its line, continuation lines.
  send(['record', record({
    raw: '    Fichier endommagé: C:\\Windows\\System32\\✓.dll  ', text: 'Fichier endommagé: C:\\Windows\\System32\\✓.dll',
    continuation: ['\tsuite à la ligne', '', 'last'], line: 9, messageId: '[0x01806a]',
  })]);
  send(['record', record({ file: 'CheckSUR.log', raw: '  (f)\tCSI Payload Corrupt  ', text: '(f)\tCSI Payload Corrupt', line: 1 })]);
  send(['end', 6 * 1024 * 1024 * 1024 + 5, 123_456]);
  send(['progress', 1, 5 * 1024 * 1024 * 1024, 6 * 1024 * 1024 * 1024 + 5]);
  send(['begin', 1, 'checksur', 0]);
  batches.push(writer.take());

  const received: Event[] = [];
  const reader = new FramedBatchReader(recorder(received));
  for (const batch of batches) reader.apply(batch);
  assert.deepEqual(received, sent);
});

test('more distinct levels, components and message ids than are interned still come back exactly', () => {
  const writer = new FramedBatchWriter();
  const sent: LogRecord[] = [];
  for (let i = 0; i < 5_000; i++) {
    const messageId = `[0x${i.toString(16).padStart(6, '0')}]`;
    const item = record({ level: i % 2 ? 'Error' : `Lvl${i}`, messageId, component: `C${i % 4_500}`, raw: `x ${i}`, text: `${i}`, line: i });
    sent.push(item);
    writer.record(item, 2);
  }
  const received: Event[] = [];
  new FramedBatchReader(recorder(received)).apply(writer.take());
  assert.deepEqual(received.map((event) => event[1]), sent);
});

test('a batch whose buffers come back is written again without losing what the next batch holds', () => {
  const writer = new FramedBatchWriter();
  const received: Event[] = [];
  const reader = new FramedBatchReader(recorder(received));
  for (let round = 0; round < 3; round++) {
    writer.record(record({ raw: `line ${round} ${'é'.repeat(round)}`, text: `${round}`, line: round }));
    const batch = writer.take();
    reader.apply(batch);
    writer.reuse(batch);
  }
  assert.deepEqual(received.map((event) => (event[1] as LogRecord).raw), ['line 0 ', 'line 1 é', 'line 2 éé']);
});
