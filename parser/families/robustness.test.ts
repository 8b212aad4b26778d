// Damaged input and resumed passes: the family fixtures, mangled and cut anywhere, never break the parser or the contract.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ServicingLogParser } from '../index';
import type { ParsedLogFacts } from '../parser';
import { corruptionSchema, scanSchema } from '../../protocol/report';
import { testSeed } from '../../test/support/seed';

const fixtureDir = new URL('../../test/fixtures/families/', import.meta.url);
const caseDir = new URL('../../test/fixtures/cases/', import.meta.url);
const logs: { name: string; text: string }[] = [
  ...readdirSync(fixtureDir).filter((name) => name.endsWith('.log')).map((name) => ({ name, text: readFileSync(new URL(name, fixtureDir), 'utf8') })),
  ...['case1-KB5043064', 'case2-KB5036892'].map((name) => ({ name, text: readFileSync(new URL(`${name}/CBS.log`, caseDir), 'utf8') })),
];

/** Small deterministic generator so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

function mangle(text: string, next: () => number): string {
  const lines = text.split('\r\n');
  const out: string[] = [];
  for (const line of lines) {
    const roll = next();
    if (roll < 0.08) continue; // dropped line
    if (roll < 0.16) out.push(line.slice(0, Math.floor(next() * line.length))); // cut mid-token
    else if (roll < 0.22) out.push(line.replace(/\t/g, ' ').replace(/ {2,}/g, ' ')); // collapsed whitespace
    else if (roll < 0.26) out.push(line, line); // repeated
    else if (roll < 0.3) out.push(line.slice(0, 30) + '\u0000\uFFFD(F)[SR](p)\t' + line.slice(30)); // garbage inside
    else out.push(line);
  }
  return out.join('\r\n');
}

function assertValid(facts: ParsedLogFacts): void {
  for (const entry of facts.corruption) corruptionSchema.parse(entry);
  for (const scan of facts.scans) scanSchema.parse(scan);
}

function parseInChunks(text: string, next: () => number): ParsedLogFacts {
  const bytes = Buffer.from(text, 'utf8');
  let parser = new ServicingLogParser({ utcOffsetMinutes: 60 });
  parser.beginFile('CBS.log', 'cbs');
  let offset = 0;
  while (offset < bytes.length) {
    const size = 1 + Math.floor(next() * 700);
    parser.write(bytes.subarray(offset, offset + size));
    offset += size;
    if (next() < 0.3) {
      assertValid(parser.result(false));
      parser = ServicingLogParser.restore(JSON.parse(JSON.stringify(parser.snapshot())), { utcOffsetMinutes: 60 });
    }
  }
  parser.endFile();
  return parser.result(true);
}

test('mangled family logs never throw and every fact stays within the contract', () => {
  const next = random(testSeed('mangled family logs', 20241121));
  for (let round = 0; round < 4; round++) {
    for (const log of logs) {
      const facts = parseInChunks(mangle(log.text, next), next);
      assertValid(facts);
    }
  }
});

test('a support case read in random chunks with snapshot/restore between them reports the same facts as one pass', () => {
  for (const log of logs.filter((entry) => entry.name.startsWith('case'))) {
    const whole = new ServicingLogParser({ utcOffsetMinutes: 60 });
    whole.beginFile('CBS.log', 'cbs');
    whole.write(Buffer.from(log.text, 'utf8'));
    whole.endFile();
    const expected = whole.result(true);
    const next = random(testSeed(`chunk sizes for ${log.name}`, 7));
    for (let round = 0; round < 3; round++) {
      const chunked = parseInChunks(log.text, next);
      assert.deepEqual(chunked.corruption, expected.corruption, log.name);
      assert.deepEqual(chunked.scans, expected.scans, log.name);
    }
  }
});
