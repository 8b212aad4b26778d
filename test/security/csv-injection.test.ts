// Finding 12: no cell of a CSV export starts with a character a spreadsheet reads as a formula (= + - @), nor with TAB or CR before one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { enroll, postReport, syntheticReport } from '../server/harness';
import { bearer, startFleetServer, type FleetTestServer } from '../server/fleet/fleet-server';

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

// Device ids are free text in the report schema, so a device can choose these.
const HOSTILE_IDS = ['\t=1+1', '\r=HYPERLINK("http://x")', '\t\r@SUM(1)', '=cmd|x', '+1+1', '-1-1', '@SUM(2)'];

describe('CSV export against formula injection', () => {
  let server: FleetTestServer;
  before(async () => {
    server = await startFleetServer();
    for (const [n, id] of HOSTILE_IDS.entries()) {
      const key = await enroll(server, id, `WS-${n}`);
      await postReport(server, key, syntheticReport('x', 1, { device: { id, hostname: `WS-${n}`, osBuild: '19045.4894' } })).expect(202);
    }
  });
  after(() => server.close());

  test('every cell that would start with = + - @ TAB or CR is prefixed with a quote, keeping its text', async () => {
    const res = await server.http.get('/api/v1/export/devices.csv').set(bearer(server.viewer)).expect(200);
    const [header, ...rows] = parseCsv(res.text);
    assert.equal(header?.[0], 'id');
    assert.equal(rows.length, HOSTILE_IDS.length);
    for (const cell of rows.flat()) assert.doesNotMatch(cell, /^[=+\-@\t\r]/, `cell ${JSON.stringify(cell)}`);
    assert.deepEqual(rows.map((row) => row[0]).sort(), HOSTILE_IDS.map((id) => `'${id}`).sort());
  });
});
