// Fixed-width console tables (PowerShell Format-Table, wmic): columns are cut by position, never by spaces.
export interface TableRow {
  [column: string]: string;
}

interface Column {
  name: string;
  start: number;
  end: number; // exclusive; the last column runs to the end of the line
}

function lines(text: string): string[] {
  return text
    .replace(/^\uFEFF/, '')
    .split('\n')
    .map((line) => line.replace(/\r+$/, ''));
}

function cut(line: string, columns: readonly Column[]): TableRow {
  const row: TableRow = {};
  columns.forEach((column, index) => {
    const end = index === columns.length - 1 ? line.length : column.end;
    row[column.name] = line.slice(column.start, end).trim();
  });
  return row;
}

/**
 * A PowerShell table: a header line, a dash underline whose runs give each column's span, then rows.
 * Cells PowerShell truncated keep their `...` so nobody mistakes them for the full value.
 */
export function parseUnderlinedTable(text: string): TableRow[] {
  const all = lines(text);
  const underlineAt = all.findIndex((line) => /^\s*-{2,}(\s+-{2,})*\s*$/.test(line));
  if (underlineAt < 1) return [];
  const header = all[underlineAt - 1] ?? '';
  const columns: Column[] = [];
  for (const match of (all[underlineAt] ?? '').matchAll(/-+/g)) {
    const start = match.index;
    columns.push({ name: header.slice(start, start + match[0].length).trim(), start, end: start + match[0].length + 1 });
  }
  // A column's cell may spill to the start of the next column's gap; widen each to the next start.
  for (let i = 0; i < columns.length - 1; i++) {
    const column = columns[i];
    const next = columns[i + 1];
    if (column && next) column.end = next.start;
  }
  const rows: TableRow[] = [];
  for (const line of all.slice(underlineAt + 1)) {
    if (line.trim() === '') continue;
    rows.push(cut(line, columns));
  }
  return rows;
}

/** A wmic table: no underline; each header word starts its column and the column runs to the next word. */
export function parseHeaderAlignedTable(text: string): TableRow[] {
  const all = lines(text).filter((line) => line.trim() !== '');
  const header = all[0];
  if (header === undefined) return [];
  const columns: Column[] = [];
  for (const match of header.matchAll(/\S+/g)) columns.push({ name: match[0], start: match.index, end: 0 });
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i];
    if (column) column.end = columns[i + 1]?.start ?? Number.MAX_SAFE_INTEGER;
  }
  return all.slice(1).map((line) => cut(line, columns));
}

/** `wmic … /format:csv`: a Node column first, the rest alphabetical, empty lines and stray CRs. */
export function parseWmicCsv(text: string): TableRow[] {
  const all = lines(text).filter((line) => line.trim() !== '');
  const header = all[0]?.split(',').map((name) => name.trim());
  if (!header) return [];
  return all.slice(1).map((line) => {
    const cells = line.split(',');
    const row: TableRow = {};
    header.forEach((name, index) => {
      row[name] = (cells[index] ?? '').trim();
    });
    return row;
  });
}
