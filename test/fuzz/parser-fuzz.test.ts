// Property test: mutated real lines, random bytes, cut and 1 MB lines in random chunks never make the
// parser throw or hang, memory stays bounded, and whatever it reports is valid Report v1 data.
// Seed corpus: every verbatim fixture log (test/fixtures/logs, test/fixtures/cases,
// test/fixtures/families incl. the extension-less CheckSUR captures): a new fixture grows it.
// `npm test` runs 100,000 lines; `npm run fuzz` runs FUZZ_LINES (1,000,000). TEST_SEED=<n> fuzzes other lines.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { corruptionSchema, failureSchema, packageSchema, parseStatsSchema, scanSchema } from '../../protocol/report';
import { ServicingLogParser, type ParsedLogFacts, type ParserSnapshot } from '../../parser';
import { testSeed } from '../support/seed';

const LINES = Number(process.env.FUZZ_LINES ?? 100_000);
const SEED = testSeed('fuzzed lines', 20241121);
const root = new URL('../../', import.meta.url).pathname;

function logFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...logFiles(path));
    else if (!name.endsWith('.md')) out.push(path);
  }
  return out;
}

const corpus: Buffer[] = [];
for (const dir of ['test/fixtures/logs', 'test/fixtures/cases', 'test/fixtures/families']) {
  for (const file of logFiles(join(root, dir))) {
    const bytes = readFileSync(file);
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 10) {
        if (i > start) corpus.push(bytes.subarray(start, i));
        start = i + 1;
      }
    }
  }
}

function prng(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

/** One fuzzed line (without its line end) and the line end to use. */
function fuzzLine(next: () => number): Buffer {
  const pick = (n: number) => Math.floor(next() * n);
  const base = corpus[pick(corpus.length)] as Buffer;
  const roll = next();
  if (roll < 0.35) return base; // real lines keep the handlers' state machines busy
  if (roll < 0.5) return base.subarray(0, pick(base.length + 1)); // cut
  if (roll < 0.6) {
    const copy = Buffer.from(base);
    for (let n = 1 + pick(4); n > 0 && copy.length > 0; n--) copy[pick(copy.length)] = pick(256); // flipped bytes
    return copy;
  }
  if (roll < 0.7) {
    const other = corpus[pick(corpus.length)] as Buffer;
    return Buffer.concat([base.subarray(0, pick(base.length + 1)), other.subarray(pick(other.length + 1))]); // spliced
  }
  if (roll < 0.8) return Buffer.from(Array.from({ length: pick(300) }, () => pick(256))); // binary garbage
  if (roll < 0.85) return Buffer.alloc(0); // blank line
  if (roll < 0.9) {
    // digits and separators where the head expects them, garbage elsewhere
    return Buffer.from(`${pick(10000)}-${pick(100)}-${pick(100)} ${pick(100)}:${pick(100)}:${pick(100)}, ${['Info', 'Error', 'Warning', 'Bogus'][pick(4)]}`.padEnd(43 + pick(10)) + base.toString('latin1').slice(pick(60)), 'latin1');
  }
  if (roll < 0.9999) return Buffer.from(base.toString('latin1').replace(/ {2,}/g, ' '), 'latin1'); // whitespace collapsed
  return Buffer.alloc(1024 * 1024 + pick(1000), 0x41 + pick(26)); // a 1 MB line
}

function validate(facts: ParsedLogFacts): void {
  for (const item of facts.packages) packageSchema.parse(item);
  for (const item of facts.failures) failureSchema.parse(item);
  for (const item of facts.corruption) corruptionSchema.parse(item);
  for (const item of facts.scans) scanSchema.parse(item);
  parseStatsSchema.parse(facts.parse);
}

test(`${LINES.toLocaleString('en-US')} fuzzed lines in random chunks: no throw, bounded memory, valid facts`, { timeout: 600_000 }, () => {
  const next = prng(SEED);
  const handlerErrors: string[] = [];
  const options = { onHandlerError: (error: unknown, handler: string) => handlerErrors.push(`${handler}: ${String(error)}`) };
  let parser = new ServicingLogParser(options);
  const started = performance.now();
  const heapBefore = process.memoryUsage().heapUsed;
  let files = 0;
  let produced = 0;
  let written = 0;
  while (produced < LINES) {
    // A file: sometimes empty, sometimes CheckSUR, usually CBS; CRLF or LF; random chunking.
    files++;
    const kind = next() < 0.15 ? 'checksur' : 'cbs';
    parser.beginFile(kind === 'checksur' ? 'CheckSUR.log' : `CbsPersist_${20260000000000 + files}.log`, kind);
    const lineCount = next() < 0.05 ? 0 : Math.min(LINES - produced, 1 + Math.floor(next() * 5_000));
    const crlf = next() < 0.8;
    const parts: Buffer[] = [];
    for (let i = 0; i < lineCount; i++) {
      parts.push(fuzzLine(next), Buffer.from(crlf ? '\r\n' : '\n'));
    }
    if (next() < 0.3) parts.pop(); // unterminated last line
    const bytes = Buffer.concat(parts);
    for (let at = 0; at < bytes.length; ) {
      const size = next() < 0.1 ? 1 + Math.floor(next() * 8) : 1 + Math.floor(next() * 200_000);
      parser.write(bytes.subarray(at, at + size));
      at += size;
    }
    written += bytes.length;
    produced += lineCount;
    if (next() < 0.5) parser.endFile();
    if (next() < 0.2) {
      // The agent's resume path: snapshot through JSON, restore, carry on.
      const saved = JSON.stringify(parser.snapshot());
      assert.ok(saved.length < 8 * 1024 * 1024, `snapshot grew to ${saved.length} bytes`);
      parser = ServicingLogParser.restore(JSON.parse(saved) as ParserSnapshot, options);
    }
    if (files % 10 === 0) validate(parser.result(false));
  }
  const facts = parser.result(true);
  validate(facts);
  const seconds = (performance.now() - started) / 1000;
  const heapGrowth = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  assert.ok(heapGrowth < 256, `heap grew by ${heapGrowth.toFixed(0)} MiB`);
  assert.ok(facts.parse.files.length > 0);
  assert.deepEqual(handlerErrors.slice(0, 5), [], 'no handler threw');
  process.stdout.write(
    `# fuzz (seed ${SEED}): ${produced} lines, ${(written / 1024 / 1024).toFixed(1)} MiB, ${files} files in ${seconds.toFixed(1)} s; ` +
      `${facts.failures.length} failures, ${facts.corruption.length} corruption, ${facts.scans.length} scans, ${facts.parse.unrecognizedLines} unrecognized\n`,
  );
});
