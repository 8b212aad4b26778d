// One agent cycle: inventory → incremental log scan → full-state report → spool (fsync) → save state → ship.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { updateCatalog } from '../../protocol/catalog';
import type { Report } from '../../protocol/report';
import { ServicingLogParser, type ParsedLogFacts } from '../../parser';
import { collectInventory, type Inventory } from '../collect/inventory';
import { collectLogs } from '../collect/logs';
import { ensureGeneratedDeviceId, loadState, stageState } from '../state/agent-state';
import { sweepTempFiles } from '../state/atomic-file';
import type { Spool, SpoolEntry } from '../ship/spool';
import type { AgentLogger } from '../log';
import type { SystemAdapter } from '../windows/adapter';
import { buildReport, newReportId, resolveIdentity } from './report-builder';
import { collectBetweenPhases } from './phase-gc';
import type { ScanThrottle } from './throttle';

export interface CycleDeps {
  stateDir: string;
  logsDir: string;
  spool: Spool;
  adapter: SystemAdapter;
  log: AgentLogger;
  now: () => Date;
  deviceId: string | null;
  hostname: string | null;
  throttle?: ScanThrottle;
  signal?: AbortSignal;
  /** Defaults to random `r-<uuid>`; tests pass a deterministic source. */
  reportId?: () => string;
}

export interface SpooledCycle {
  report: Report;
  entry: SpoolEntry;
  identity: { deviceId: string; hostname: string };
  filesRead: number;
  bytesRead: number;
}

async function readInventory(adapter: SystemAdapter, log: AgentLogger): Promise<Inventory | null> {
  try {
    const inventory = await collectInventory(adapter);
    for (const problem of inventory?.problems ?? []) log.warn({ problem }, 'inventory incomplete');
    return inventory;
  } catch (error) {
    log.warn({ error: (error as Error).message }, 'inventory unavailable; this report carries log facts only');
    return null;
  }
}

/**
 * The facts for this cycle's report, including those still held open at the end of the log: the
 * last record (the framer waits for continuation lines that may never come) and a failed attempt
 * whose WER line has not been written yet. Without them a failure written last would wait for the
 * next servicing activity, hours away, instead of reaching the server within a minute. Scans and
 * corruption still in progress (an SFC run, a DISM summary) are reported only once complete: closing
 * them now would report a running scan as interrupted. Consumes the parser: snapshot it first.
 */
export function reportedFacts(parser: ServicingLogParser): ParsedLogFacts {
  const { corruption, scans } = parser.result(false);
  return { ...parser.result(true), corruption, scans };
}

/**
 * Collects and durably spools one report, then commits the parser state.
 *
 * Crash windows (kill -9 or power loss), and why none loses or double counts a record:
 * 1. During inventory, scan or report building: nothing was put in place (the next state may be
 *    staged as a temp file, which the next run sweeps); the next run starts again from the last
 *    saved cursors and re-reads the same bytes.
 * 2. During the spool write: the temp file is never renamed into place and is swept on start;
 *    state still points at the old cursors, so as in 1.
 * 3. After the spool rename, before the state rename: the report is in the spool and will be sent;
 *    the next run re-reads the same bytes from the old cursors and the parser (restored from the
 *    old snapshot) yields the same facts, so the next report restates them — never adds them twice.
 *    The next sequence is max(state, spool) + 1, so sequence numbers are never reused.
 * 4. During the state rename: state.json is the old or the new one in full.
 * 5. During or after a send, before the spool file is removed: the report is sent again with the
 *    same reportId and the server answers `duplicate`, so it is stored exactly once.
 */
export async function collectAndSpool(deps: CycleDeps): Promise<SpooledCycle> {
  const { stateDir, log } = deps;
  const tempRoot = join(stateDir, 'tmp');
  sweepTempFiles(stateDir);
  rmSync(tempRoot, { recursive: true, force: true }); // cabinets a killed run left expanded

  const loaded = loadState(stateDir);
  if (loaded.problem) log.warn(loaded.problem);
  const generatedDeviceId = ensureGeneratedDeviceId(stateDir, deps.now, loaded.state);
  const state = { ...loaded.state, generatedDeviceId };

  const inventory = await readInventory(deps.adapter, log);
  const identity = resolveIdentity({
    deviceId: deps.deviceId,
    hostname: deps.hostname,
    inventory,
    generatedDeviceId,
  });

  const options = { catalog: updateCatalog(), utcOffsetMinutes: inventory?.device.utcOffsetMinutes ?? null };
  let parser: ServicingLogParser;
  let cursors = state.cursors;
  try {
    parser = state.parser === null ? new ServicingLogParser(options) : ServicingLogParser.restore(state.parser as never, options);
  } catch (error) {
    log.warn({ error: (error as Error).message }, 'saved parser state is unusable; reading all logs again');
    parser = new ServicingLogParser(options);
    cursors = {};
  }

  collectBetweenPhases(); // start-up and the saved state's JSON text
  const collected = await collectLogs({
    logsDir: deps.logsDir,
    cursors,
    parser,
    adapter: deps.adapter,
    tempRoot,
    log,
    throttle: deps.throttle,
    signal: deps.signal,
  });

  collectBetweenPhases(); // the scan's read buffers and decoded text
  const sequence = Math.max(state.sequence, deps.spool.maxSequence()) + 1;
  // The saved state keeps open records open, so appended lines can still complete them; it is
  // written before `reportedFacts` lets the parser close them for this report. Staged (durable
  // beside state.json until the report is spooled), so its text is not in memory with the report's.
  const nextState = stageState(stateDir, {
    ...state,
    sequence,
    cursors: collected.cursors,
    parser: parser.snapshot(),
    savedAt: deps.now().toISOString(),
  });
  let report: Report;
  let entry: SpoolEntry;
  try {
    report = buildReport({
      reportId: (deps.reportId ?? newReportId)(),
      sequence,
      generatedAt: deps.now(),
      identity,
      facts: reportedFacts(parser),
      inventory,
    });
    entry = deps.spool.put(report, sequence);
  } catch (error) {
    nextState.discard();
    throw error;
  }
  nextState.commit();
  log.info({ reportId: report.reportId, sequence, filesRead: collected.filesRead, bytesRead: collected.bytesRead }, 'report spooled');
  return { report, entry, identity, filesRead: collected.filesRead, bytesRead: collected.bytesRead };
}
