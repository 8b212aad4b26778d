// Benchmark: share of parse time spent in the corruption/scan family handlers, measured side by side in one run.
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ServicingLogParser } from '../../parser/index';
import type { LogRecord, RecordHandler } from '../../parser/record';
import { checkSurLogHandler } from '../../parser/families/checksur-log';
import { csiCorruptionHandler } from '../../parser/families/csi-corruption';
import { sfcRunHandler } from '../../parser/families/sfc-run';
import { surBlockHandler } from '../../parser/families/sur-block';
import { collectingSink, frameText, localContext } from '../../parser/families/test-kit';

const targetBytes = Number(process.env.BENCH_MB ?? 32) * 1024 * 1024;
// A mixed corpus: the verbatim logs of every family (ordinary servicing, failures, corruption, scans)
// and the two support cases, repeated up to the target size.
const here = new URL('.', import.meta.url);
const directories = [new URL('../fixtures/logs/', here), new URL('../fixtures/families/', here), new URL('../fixtures/cases/case1-KB5043064/', here), new URL('../fixtures/cases/case2-KB5036892/', here)];
const sources = directories.flatMap((directory) =>
  readdirSync(directory).filter((name) => name.endsWith('.log')).sort().map((name) => readFileSync(new URL(name, directory), 'utf8')),
);
const unit = sources.join('');
const text = unit.repeat(Math.max(1, Math.ceil(targetBytes / unit.length)));
const megabytes = text.length / 1024 / 1024;

function bestOf<T>(runs: number, work: () => T): { ms: number; result: T } {
  let best = Number.POSITIVE_INFINITY;
  let result!: T;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = work();
    best = Math.min(best, performance.now() - start);
  }
  return { ms: best, result };
}

const bytes = Buffer.from(text, 'utf8');

function fullParse() {
  const parser = new ServicingLogParser({ utcOffsetMinutes: 0 });
  parser.beginFile('CBS.log', 'cbs');
  for (let offset = 0; offset < bytes.length; offset += 1 << 20) parser.write(bytes.subarray(offset, offset + (1 << 20)));
  parser.endFile();
  return parser.result(true);
}

function familyPass(records: LogRecord[]): number {
  const handlers: RecordHandler[] = [sfcRunHandler(), csiCorruptionHandler(), checkSurLogHandler(), surBlockHandler()] as RecordHandler[];
  const sink = collectingSink();
  const context = localContext();
  for (const record of records) {
    for (const handler of handlers) if (handler.handle(record, context, sink)) break;
  }
  for (const handler of handlers) handler.flush(context, sink, true);
  return sink.facts.corruption.length + sink.facts.scans.length;
}

const records = frameText(text);
const parse = bestOf(3, fullParse);
const families = bestOf(3, () => familyPass(records));
console.log(`input: ${megabytes.toFixed(1)} MB, ${records.length} records (non-noise) framed`);
console.log(`full parse (all handlers): ${parse.ms.toFixed(0)} ms, ${(megabytes / (parse.ms / 1000)).toFixed(1)} MB/s`);
console.log(`family handlers alone over the same records: ${families.ms.toFixed(0)} ms (${families.result} facts before merging)`);
console.log(`ratio family handlers / full parse: ${(families.ms / parse.ms).toFixed(3)}`);
