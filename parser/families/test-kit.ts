// Test support for family handlers: run handlers over records and collect the facts they report.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { updateCatalog } from '../../protocol/catalog';
import { RecordFramer } from '../framer';
import type { CorruptionRecord, FailureRecord, ScanRecord } from '../../protocol/report';
import type { FactSink, LogRecord, ParseContext, RecordHandler } from '../record';

export interface CollectedFacts {
  failures: FailureRecord[];
  corruption: CorruptionRecord[];
  scans: ScanRecord[];
  unrecognized: LogRecord[];
}

export function collectingSink(): FactSink & { facts: CollectedFacts } {
  const facts: CollectedFacts = { failures: [], corruption: [], scans: [], unrecognized: [] };
  return {
    facts,
    addFailure: (failure) => facts.failures.push(failure),
    addCorruption: (corruption) => facts.corruption.push(corruption),
    addScan: (scan) => facts.scans.push(scan),
    unrecognized: (record) => facts.unrecognized.push(record),
  };
}

/** Local time as ISO 8601 without offset; CheckSUR rows (no time) fall back to a fixed instant. */
export function localContext(): ParseContext {
  return {
    catalog: updateCatalog(),
    timestampOf: (record) => (record.time ?? '2000-01-01 00:00:00').replace(' ', 'T'),
  };
}

/** A CBS record built from its parts, as the framer would produce it. */
export function cbsRecord(time: string | null, component: string, text: string, continuation: string[] = [], level = 'Info'): LogRecord {
  const head = time ? `${time}, ${level.padEnd(22)}${component.padEnd(7)}${text}` : text;
  return {
    time, level: time ? level : null, messageId: null, component, csiSequence: null, csiUtc: null,
    text: text.trimEnd(), continuation, raw: head, file: 'CBS.log', line: 1,
  };
}

/** A CheckSUR.log record: one physical line, no time. */
export function checksurRecord(line: string, lineNumber = 1): LogRecord {
  return {
    time: null, level: null, messageId: null, component: '', csiSequence: null, csiUtc: null,
    text: line.trimEnd(), continuation: [], raw: line, file: 'CheckSUR.log', line: lineNumber,
  };
}

/** Runs one handler over records in order, then flushes; returns what it reported and what it consumed. */
export function runHandler<S>(handler: RecordHandler<S>, records: LogRecord[], final = true): CollectedFacts & { consumed: boolean[] } {
  const sink = collectingSink();
  const context = localContext();
  const consumed = records.map((record) => handler.handle(record, context, sink));
  handler.flush(context, sink, final);
  return { ...sink.facts, consumed };
}

/** Frames text with the parser's own framer (CheckSUR grammar by file name), dropping known noise. */
export function frameText(text: string, name = 'CBS.log'): LogRecord[] {
  const records: LogRecord[] = [];
  const framer = new RecordFramer({ record: (record) => records.push(record), clockSample: () => {} });
  framer.beginFile(name, /checksur/i.test(name) ? 'checksur' : 'cbs');
  framer.pushText(text);
  framer.flushCarry();
  framer.flushPending();
  return records;
}

/** Frames a fixture file. */
export function frameFile(path: string): LogRecord[] {
  return frameText(readFileSync(path, 'utf8'), basename(path));
}

/** Fixture path beside the family handlers. */
export function fixture(name: string): string {
  return new URL(`../../test/fixtures/families/${name}`, import.meta.url).pathname;
}
