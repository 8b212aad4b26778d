// `scan PATH... [--json]`: parse servicing logs and print a Report v1 or a readable summary.
import { createHash } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { basename } from 'node:path';
import type { Report } from '../../protocol/report';
import { parseCommandLine } from '../../protocol/command-line';
import { hostnameProblem } from '../../protocol/windows-names';
import type { ParsedLogFacts } from '../../parser';
import { expandLogPaths, ScanInputError } from '../../parser/log-files';
import { FramingRun } from '../../parser/pipeline';
import { ConfigError } from '../config-error';
import type { buildReport as BuildReport, newReportId as NewReportId } from '../runtime/report-builder';

const USAGE = 'usage: patchlens-agent scan PATH... [--json] [--device-id ID] [--hostname NAME] [--utc-offset MINUTES]';

/** Files larger than this get a progress bar on stderr (when stderr is a terminal). */
const PROGRESS_MIN_BYTES = 50 * 1024 * 1024;

export interface ScanArguments {
  paths: string[];
  json: boolean;
  deviceId: string | null;
  hostname: string | null;
  utcOffsetMinutes: number | null;
}

const SCAN_OPTIONS = {
  json: { type: 'boolean' },
  'device-id': { type: 'string' },
  hostname: { type: 'string' },
  'utc-offset': { type: 'string' },
} as const;

function scanFlags(args: string[]) {
  try {
    return parseCommandLine({ args, options: SCAN_OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

export function parseScanArguments(args: string[]): ScanArguments {
  const { values, positionals } = scanFlags(args);
  if (positionals.length === 0) throw new ConfigError('no log file or folder given');
  const hostname = values.hostname ?? null;
  const problem = hostname === null ? null : hostnameProblem(hostname);
  if (problem) throw new ConfigError(`--hostname ${JSON.stringify(hostname)} is not valid: ${problem}`);
  let utcOffsetMinutes: number | null = null;
  if (values['utc-offset'] !== undefined) {
    const text = values['utc-offset'];
    utcOffsetMinutes = Number(text);
    if (text.trim() === '' || !Number.isInteger(utcOffsetMinutes) || Math.abs(utcOffsetMinutes) > 14 * 60) {
      throw new ConfigError(`--utc-offset wants whole minutes within ±840, not '${text}'`);
    }
  }
  return { paths: positionals, json: values.json ?? false, deviceId: values['device-id'] ?? null, hostname, utcOffsetMinutes };
}

/**
 * Without `--device-id`, a scan names the device by its host name and an id derived from it:
 * `scan-` + the first 32 hex digits of SHA-256 over the lower-cased host name. The same machine
 * always gets the same id, and it never collides with agent ids (MachineGuid or generated UUIDs).
 */
export function scanDeviceId(hostname: string): string {
  return 'scan-' + createHash('sha256').update(hostname.toLowerCase()).digest('hex').slice(0, 32);
}

/** What a scan needs from the report builder (loaded after the framing worker has started). */
export interface ReportBuilding {
  buildReport: typeof BuildReport;
  newReportId: typeof NewReportId;
}

export function scanReport(facts: ParsedLogFacts, args: ScanArguments, now: Date, { buildReport, newReportId }: ReportBuilding): Report {
  const hostname = args.hostname ?? osHostname();
  return buildReport({
    reportId: newReportId(),
    // A scan document stands alone; it is not part of an agent's numbered report stream.
    sequence: 0,
    generatedAt: now,
    identity: { deviceId: args.deviceId ?? scanDeviceId(hostname), hostname },
    facts,
    inventory: null,
  });
}

function progressBar(): (path: string, read: number, total: number) => void {
  let lastPercent = -1;
  let lastPath = '';
  return (path, read, total) => {
    if (total < PROGRESS_MIN_BYTES || !process.stderr.isTTY) return;
    const percent = Math.floor((read / total) * 100);
    if (percent === lastPercent && path === lastPath) return;
    lastPercent = percent;
    lastPath = path;
    const width = 30;
    const filled = Math.round((percent / 100) * width);
    process.stderr.write(`\r${basename(path)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(percent).padStart(3)}%`);
    if (read >= total) process.stderr.write('\n');
  };
}

/** `PATCHLENS_SCAN_PIPELINE=off` keeps a scan on one thread (less memory; benchmarks compare both). */
function pipelineSetting(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError(`PATCHLENS_SCAN_PIPELINE wants on or off, not '${value}'`);
}

export async function runScanCommand(argv: string[]): Promise<number> {
  let args: ScanArguments;
  let pipeline: boolean;
  try {
    args = parseScanArguments(argv);
    pipeline = pipelineSetting(process.env.PATCHLENS_SCAN_PIPELINE);
  } catch (error) {
    process.stderr.write(`patchlens-agent: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  let facts: ParsedLogFacts;
  let builder: ReportBuilding;
  let framing: FramingRun | null = null;
  try {
    const files = expandLogPaths(args.paths);
    // Large inputs are read and framed on a second thread (a one-shot command can afford its heap). It
    // starts first: the parser and the report schema then load while it starts.
    framing = FramingRun.start(files, pipeline);
    const [parser, reports] = await Promise.all([import('../../parser'), import('../runtime/report-builder')]);
    builder = reports;
    facts = await parser.scanLogFiles(files, { utcOffsetMinutes: args.utcOffsetMinutes, onProgress: progressBar(), framing });
  } catch (error) {
    framing?.cancel();
    if (error instanceof ScanInputError) {
      process.stderr.write(`patchlens-agent: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let report: Report;
  try {
    report = scanReport(facts, args, new Date(), builder);
  } catch (error) {
    process.stderr.write(`patchlens-agent: internal error, the parsed facts do not form a valid report: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(args.json ? JSON.stringify(report) + '\n' : formatSummary(report));
  return 0;
}

function count(items: number, word: string): string {
  return `${items.toLocaleString('en-US')} ${word}${items === 1 ? '' : 's'}`;
}

/** The readable summary: failing updates, corruption by component family, scan results. */
export function formatSummary(report: Report): string {
  const out: string[] = [];
  const { parse, device } = report;
  const bytes = parse.files.reduce((sum, file) => sum + file.bytes, 0);
  const lines = parse.files.reduce((sum, file) => sum + file.lines, 0);
  out.push(
    `Parsed ${count(parse.files.length, 'file')} (${(bytes / 1024 / 1024).toFixed(1)} MiB, ${count(lines, 'line')}; ${count(parse.unrecognizedLines, 'unrecognized record')})`,
  );
  for (const warning of parse.warnings ?? []) out.push(`Warning: ${warning}`);
  const deviceFacts = [device.osBuild && `OS build ${device.osBuild}`, device.servicingStack && `servicing stack ${device.servicingStack}`].filter(Boolean);
  if (deviceFacts.length > 0) out.push(`Device: ${deviceFacts.join(', ')}`);

  const failing = report.packages.filter((p) => p.state === 'Failed');
  out.push('', failing.length === 0 ? 'Failing updates: none' : `Failing updates (${failing.length}):`);
  for (const p of failing) {
    out.push(`  ${(p.kb ?? '(no KB)').padEnd(10)} ${p.lastResult ?? '?'}  ${(p.failureSource ?? '').padEnd(9)} ${p.lastChangeAt ?? ''}  ${p.identity}`);
  }
  if (report.failures.length > 0) {
    out.push('', `Failures (${report.failures.length}, newest last):`);
    for (const f of report.failures.slice(-20)) {
      out.push(`  ${f.at}  ${f.kb ?? f.package ?? '(no package)'}  ${f.hresult} ${f.hresultName ?? ''}${f.failureSource ? `  at ${f.failureSource}` : ''}${f.operation ? `  (${f.operation})` : ''}`);
    }
  }

  const families = new Map<string, { findings: number; versions: Set<string>; files: Set<string>; kinds: Set<string>; repaired: number }>();
  for (const c of report.corruption) {
    const entry = families.get(c.family) ?? { findings: 0, versions: new Set(), files: new Set(), kinds: new Set(), repaired: 0 };
    entry.findings++;
    if (c.version) entry.versions.add(c.version);
    if (c.file) entry.files.add(c.file);
    entry.kinds.add(c.kind);
    if (c.repaired) entry.repaired++;
    families.set(c.family, entry);
  }
  out.push('', families.size === 0 ? 'Corruption: none found' : `Corruption by family (${families.size}):`);
  for (const [family, e] of [...families].sort((a, b) => b[1].findings - a[1].findings)) {
    const parts = [count(e.findings, 'finding'), `${e.repaired} repaired`, [...e.kinds].join('/')];
    if (e.versions.size > 0) parts.push(`versions ${[...e.versions].join(', ')}`);
    if (e.files.size > 0) parts.push(`files ${[...e.files].slice(0, 5).join(', ')}${e.files.size > 5 ? ', …' : ''}`);
    out.push(`  ${family}: ${parts.join('; ')}`);
  }

  out.push('', report.scans.length === 0 ? 'Scans: none in these logs' : `Scans (${report.scans.length}):`);
  for (const s of report.scans) {
    out.push(
      `  ${s.at}  ${s.tool} ${s.operation}  result ${s.result ?? 'n/a'}${s.interrupted ? ' (interrupted)' : ''}  detected ${s.detected.total} (payload ${s.detected.csiPayload}, CSI manifest ${s.detected.csiManifest}, CBS manifest ${s.detected.cbsManifest})  repaired ${s.repaired.total}`,
    );
  }

  const states = new Map<string, number>();
  for (const p of report.packages) states.set(p.state, (states.get(p.state) ?? 0) + 1);
  out.push('', `Packages: ${report.packages.length}${states.size > 0 ? ` (${[...states].map(([state, n]) => `${state} ${n}`).join(', ')})` : ''}`);
  return out.join('\n') + '\n';
}
