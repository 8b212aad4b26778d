// SFC (`sfc /scannow`, `/verifyonly`): the `[SR]` run, its DEPLOY [Pnp] driver lines, and file-hash mismatches.
import type { CorruptionKind, CorruptionRecord, ScanRecord } from '../../protocol/report';
import { parseComponentIdentity, parseQuotedName, type ComponentIdentity } from '../component-identity';
import type { FactSink, LogRecord, ParseContext, RecordHandler } from '../record';
import { describeCsiCorruption } from './csi-corruption';
import { baseName, corruptionOf, emptyDetected, emptyRepaired, evidenceLines, recordLines, secondsBetween } from './facts';

/**
 * Run boundaries. A scannow run is several `Verifying N components` batches, then `Repairing N
 * components` and `Repair complete`; /verifyonly stops after the last `Verify complete`, which is
 * only known to be the last when something else happens: a new Trusted Installer session, the end
 * of a one-shot scan, or any line more than RUN_GAP_SECONDS later (so an incremental pass reports
 * it without waiting for the next session).
 * On 26100 the PnP component reports driver files (`DEPLOY [Pnp] Corrupt file:`) right AFTER
 * `Repair complete`, in the same second; lines up to DEPLOY_GRACE_SECONDS after the end still
 * belong to the run that just ended, so the run is only reported once time has moved past that.
 */
const RUN_GAP_SECONDS = 600;
const DEPLOY_GRACE_SECONDS = 2;

type Phase = 'verifying' | 'verified' | 'repairing' | 'ended';

interface SfcRunState {
  at: string;
  startTime: string | null;
  lastTime: string | null;
  endTime: string | null;
  phase: Phase;
  repairPhase: boolean;
  componentsVerified: number;
  detectedPayload: number;
  detectedManifest: number;
  repairedPayload: number;
  repairedManifest: number;
  unrepaired: number;
  /** `file|component` of every member already reported: the repair phase repeats the verify phase's lines. */
  reported: string[];
}

/** A `Hashes for file member … do not match.` record waiting for the line that names its component. */
interface PendingHash {
  at: string;
  time: string | null;
  file: string;
  evidence: string[];
}

interface SfcState {
  run: SfcRunState | null;
  pendingHash: PendingHash | null;
  /** DEPLOY [Pnp] entries, held until their `Repaired file:` / `Failed repairing file:` line had a chance to arrive. */
  held: CorruptionRecord[];
  heldTime: string | null;
}

const VERIFYING = /^Verifying (\d+)(?:\s*\(0x[0-9a-f]+\))? components/i;
const REPAIRING_COMPONENTS = /^Repairing (\d+) components/i;
const CANNOT_REPAIR = /^Cannot repair member file\b\s*(.*)$/i;
const CANNOT_VERIFY = /^Cannot verify component files for (.+?), manifest is damaged/i;
const COULD_NOT_REPROJECT = /^Could not reproject corrupted file (.+?);/i;
const REPAIRING_FILE = /^Repairing (?:corrupted )?file (.+?) from store/i;
const REPAIRED_FROM_BACKUP = /^Repaired file (.+?) by copying from backup/i;
const HASH_MISMATCH = /^Hashes for file member (.*) do not match/i;
const DEPLOY_LINE = /^\[Pnp\] (Corrupt file|Repaired file|Failed repairing file):\s*(.*?)(?::\s*)?$/;
const SESSION_START = 'TI: --- Initializing Trusted Installer ---';

function newRun(at: string, time: string | null): SfcRunState {
  return {
    at, startTime: time, lastTime: time, endTime: null, phase: 'verifying', repairPhase: false, componentsVerified: 0,
    detectedPayload: 0, detectedManifest: 0, repairedPayload: 0, repairedManifest: 0, unrepaired: 0, reported: [],
  };
}

function scanOf(run: SfcRunState, interrupted: boolean): ScanRecord {
  const detected = emptyDetected();
  detected.csiPayload = run.detectedPayload;
  detected.csiManifest = run.detectedManifest;
  detected.total = run.detectedPayload + run.detectedManifest;
  const repaired = emptyRepaired();
  repaired.csiPayload = run.repairedPayload;
  repaired.csiManifest = run.repairedManifest;
  repaired.total = run.repairedPayload + run.repairedManifest;
  // An interrupted run cannot tell /verifyonly from /scannow; scannow is by far the common one.
  const verifyOnly = !interrupted && !run.repairPhase && run.phase === 'verified';
  return {
    at: run.at,
    tool: 'sfc',
    operation: verifyOnly ? 'verifyonly' : 'scannow',
    result: null,
    detected,
    repaired,
    interrupted,
    durationSeconds: secondsBetween(run.startTime, run.endTime ?? run.lastTime),
    componentsVerified: run.componentsVerified,
    unrepaired: run.unrepaired,
  };
}

/** The part of `Cannot repair member file …` after the file: `of <identity> in the store, <reason>`. */
function cannotRepair(rest: string): { file: string | null; identity: ComponentIdentity | null; kind: CorruptionKind } {
  const quoted = parseQuotedName(rest);
  const file = quoted?.value ?? null;
  const after = quoted ? quoted.rest : rest;
  const of = /^\s*of\s+(.*?)(?:\s+in the store,\s*(.*))?$/.exec(after);
  const identity = of?.[1] ? parseComponentIdentity(of[1]) : null;
  const reason = (of?.[2] ?? '').toLowerCase();
  const kind: CorruptionKind = reason.includes('hash') ? 'hash-mismatch' : reason.includes('missing') ? 'payload-missing' : 'payload-corrupt';
  return { file, identity, kind };
}

/** A file named by a quoted directory + quoted name, or by a plain path (`\??\C:\…\\x.dll`). */
function fileOf(text: string): string | null {
  const first = parseQuotedName(text);
  if (first) {
    const second = parseQuotedName(first.rest);
    return second?.value ?? baseName(first.value);
  }
  return baseName(text.trim());
}

/** SR messages quoted without their `[SR]` tag (pasted fragments). */
const SR_MESSAGE_START = /^\s*(?:Cannot repair member file|Cannot verify component files|Repairing (?:corrupted )?file|Repaired file)/;

/** The `[SR]` messages of a record: its text and any continuation line that is itself an SR message. */
function srMessages(record: LogRecord): string[] {
  const messages: string[] = [];
  const strip = (line: string) => line.trim().replace(/^\[SR\]\s*/, '');
  if (record.text.startsWith('[SR]')) messages.push(strip(record.text));
  if (record.level === null && SR_MESSAGE_START.test(record.text)) messages.push(strip(record.text));
  for (const line of record.continuation) {
    const message = strip(line);
    if (CANNOT_REPAIR.test(message) || CANNOT_VERIFY.test(message) || REPAIRING_FILE.test(message) || REPAIRED_FROM_BACKUP.test(message)) {
      messages.push(message);
    }
  }
  return messages;
}

/** Handler for SFC runs (scans with tool `sfc`) and the corruption they find (source `sfc`). */
export function sfcRunHandler(): RecordHandler<SfcState> {
  let state: SfcState = { run: null, pendingHash: null, held: [], heldTime: null };

  function emitHeld(sink: FactSink): void {
    for (const entry of state.held) sink.addCorruption(entry);
    state.held = [];
    state.heldTime = null;
  }

  function emitRun(sink: FactSink, interrupted: boolean): void {
    const run = state.run;
    state.run = null;
    emitHeld(sink);
    if (run) sink.addScan(scanOf(run, interrupted));
  }

  /** Ends the open run at a boundary: complete when it had reached an end marker, else interrupted. */
  function closeRun(sink: FactSink): void {
    const run = state.run;
    if (run) emitRun(sink, !(run.phase === 'ended' || run.phase === 'verified'));
    else emitHeld(sink);
  }

  function emitPendingHash(sink: FactSink, identity: ComponentIdentity | null, extra: string[] = [], kind?: CorruptionKind, source?: 'sfc'): void {
    const pending = state.pendingHash;
    if (!pending) return;
    state.pendingHash = null;
    sink.addCorruption(corruptionOf({
      at: pending.at,
      identity,
      file: pending.file,
      kind: kind ?? 'hash-mismatch',
      source: source ?? (state.run ? 'sfc' : 'cbs'),
      repaired: false,
      evidence: [...pending.evidence, ...extra],
    }));
  }

  /** Time moved on: held DEPLOY entries, an ended run and an unresolved hash mismatch are final. */
  function advance(record: LogRecord, sink: FactSink): void {
    const time = record.time;
    if (time === null) return;
    const run = state.run;
    if (run?.phase === 'ended' && (secondsBetween(run.endTime, time) ?? 0) > DEPLOY_GRACE_SECONDS) emitRun(sink, false);
    // A /verifyonly run is over once the log has moved on well past its last batch.
    else if (run?.phase === 'verified' && (secondsBetween(run.lastTime, time) ?? 0) > RUN_GAP_SECONDS) emitRun(sink, false);
    if (!state.run && state.held.length > 0 && (secondsBetween(state.heldTime, time) ?? 0) > DEPLOY_GRACE_SECONDS) emitHeld(sink);
    if (state.pendingHash && state.pendingHash.time !== time) emitPendingHash(sink, null);
  }

  function countDetected(kind: CorruptionKind, repaired: boolean): void {
    const run = state.run;
    if (!run) return;
    const manifest = kind === 'manifest-corrupt';
    if (manifest) run.detectedManifest++;
    else run.detectedPayload++;
    if (repaired) {
      if (manifest) run.repairedManifest++;
      else run.repairedPayload++;
    } else run.unrepaired++;
  }

  function handleSr(message: string, record: LogRecord, context: ParseContext, sink: FactSink): boolean {
    const at = context.timestampOf(record);
    const verifying = VERIFYING.exec(message);
    if (verifying) {
      const run = state.run;
      if (run) {
        // A new batch only continues a run that finished verifying its previous batch moments ago.
        const gap = secondsBetween(run.lastTime, record.time) ?? 0;
        if (run.phase !== 'verified' || gap > RUN_GAP_SECONDS) closeRun(sink);
      }
      state.run ??= newRun(at, record.time);
      state.run.phase = 'verifying';
      state.run.componentsVerified += Number(verifying[1]);
      return true;
    }
    const run = state.run;
    if (run) run.lastTime = record.time ?? run.lastTime;
    if (/^Verify complete/i.test(message)) {
      if (run && run.phase === 'verifying') run.phase = 'verified';
      return true;
    }
    if (REPAIRING_COMPONENTS.test(message)) {
      if (run) {
        run.repairPhase = true;
        run.phase = 'repairing';
      }
      return true;
    }
    if (/^Repair complete/i.test(message)) {
      if (run) {
        run.phase = 'ended';
        run.endTime = record.time;
      }
      return true;
    }
    if (/^(?:Beginning Verify and Repair transaction|Committing transaction|Verify and Repair Transaction completed|This component was referenced by)/i.test(message)) {
      return true;
    }
    const cannot = CANNOT_REPAIR.exec(message);
    if (cannot) {
      const { file, identity, kind } = cannotRepair(cannot[1] ?? '');
      if (!file && !identity) {
        sink.unrecognized(record);
        return true;
      }
      const key = `${file ?? ''}|${identity?.text ?? ''}`.toLowerCase();
      if (run?.reported.includes(key)) {
        // Already reported in this run; the mismatch lines that led to this repeat add nothing.
        if (state.pendingHash && file && state.pendingHash.file.toLowerCase() === file.toLowerCase()) state.pendingHash = null;
        return true;
      }
      run?.reported.push(key);
      countDetected(kind, false);
      const pending = state.pendingHash;
      if (pending && file && pending.file.toLowerCase() === file.toLowerCase()) {
        emitPendingHash(sink, identity, recordLines(record), kind, 'sfc');
      } else {
        sink.addCorruption(corruptionOf({ at, identity, file, kind, source: 'sfc', repaired: false, evidence: recordLines(record) }));
      }
      return true;
    }
    const cannotVerify = CANNOT_VERIFY.exec(message);
    if (cannotVerify) {
      const identity = parseComponentIdentity(cannotVerify[1] ?? '');
      countDetected('manifest-corrupt', false);
      sink.addCorruption(corruptionOf({
        at, identity, fallbackFamily: (cannotVerify[1] ?? '').split(',')[0], file: null, kind: 'manifest-corrupt', source: 'sfc',
        repaired: false, evidence: recordLines(record),
      }));
      return true;
    }
    const reproject = COULD_NOT_REPROJECT.exec(message);
    if (reproject) {
      countDetected('payload-corrupt', false);
      sink.addCorruption(corruptionOf({
        at, identity: null, file: baseName(reproject[1]), kind: 'payload-corrupt', source: 'sfc', repaired: false, evidence: recordLines(record),
      }));
      return true;
    }
    const repairing = REPAIRING_FILE.exec(message) ?? REPAIRED_FROM_BACKUP.exec(message);
    if (repairing) {
      const manifest = /\\Manifests\\/i.test(repairing[1] ?? '');
      const kind: CorruptionKind = manifest ? 'manifest-corrupt' : 'payload-corrupt';
      countDetected(kind, true);
      sink.addCorruption(corruptionOf({
        at, identity: null, file: fileOf(repairing[1] ?? ''), kind, source: 'sfc', repaired: true, evidence: recordLines(record),
      }));
      return true;
    }
    return false;
  }

  function handleDeploy(record: LogRecord, context: ParseContext): boolean {
    const line = DEPLOY_LINE.exec(record.text);
    if (!line) return false;
    const path = (line[2] ?? '').trim();
    const file = baseName(path);
    if (!file) return false;
    const run = state.run;
    const attach = run && (run.phase === 'verified' || run.phase === 'repairing' || run.phase === 'verifying' ||
      (run.phase === 'ended' && (secondsBetween(run.endTime, record.time) ?? 0) <= DEPLOY_GRACE_SECONDS));
    if (line[1] === 'Corrupt file') {
      if (attach && run) {
        run.detectedPayload++;
        run.unrepaired++;
      }
      state.held.push(corruptionOf({
        at: context.timestampOf(record), identity: null, file, kind: 'payload-corrupt', source: 'sfc',
        repaired: false, evidence: recordLines(record),
      }));
      state.heldTime = record.time;
      return true;
    }
    const entry = [...state.held].reverse().find((held) => held.file?.toLowerCase() === file.toLowerCase());
    if (entry && entry.evidence.length < 5) entry.evidence.push(...evidenceLines(recordLines(record)).slice(0, 5 - entry.evidence.length));
    if (line[1] === 'Repaired file') {
      if (entry && !entry.repaired) {
        entry.repaired = true;
        if (attach && run) {
          run.repairedPayload++;
          run.unrepaired = Math.max(0, run.unrepaired - 1);
        }
      }
    }
    return true;
  }

  return {
    name: 'sfc-run',
    handle(record: LogRecord, context: ParseContext, sink: FactSink): boolean {
      advance(record, sink);
      if (record.component === 'DEPLOY') return handleDeploy(record, context);
      if (record.component === 'CBS' && record.text.startsWith(SESSION_START)) {
        closeRun(sink);
        return false;
      }
      if (record.component !== 'CSI' && record.level !== null) return false;
      const hash = record.text.startsWith('Hashes for file member') ? HASH_MISMATCH.exec(record.text) : null;
      if (hash) {
        emitPendingHash(sink, null);
        const file = parseQuotedName(hash[1] ?? '')?.value ?? (hash[1] ?? '').trim();
        state.pendingHash = { at: context.timestampOf(record), time: record.time, file, evidence: recordLines(record) };
        return true;
      }
      const pending = state.pendingHash;
      if (pending) {
        // A servicing-time mismatch is named by the CSI line that hydrates from the damaged file:
        // the stored base (`Matching Component = …`) is the copy whose hash did not match.
        const fact = describeCsiCorruption(record);
        if (fact?.file && fact.file.toLowerCase() === pending.file.toLowerCase()) {
          emitPendingHash(sink, fact.matchingIdentity ?? fact.identity);
          return false;
        }
      }
      if (record.continuation.length === 0 && !record.text.startsWith('[SR]') && record.level !== null) return false;
      let consumed = false;
      for (const message of srMessages(record)) {
        if (handleSr(message, record, context, sink)) consumed = true;
      }
      return consumed;
    },
    flush(_context: ParseContext, sink: FactSink, final: boolean): void {
      if (!final) return;
      emitPendingHash(sink, null);
      closeRun(sink);
    },
    snapshot(): SfcState {
      return structuredClone(state);
    },
    restore(saved: SfcState): void {
      const fresh: SfcState = { run: null, pendingHash: null, held: [], heldTime: null };
      if (!saved || typeof saved !== 'object' || !Array.isArray(saved.held)) {
        state = fresh;
        return;
      }
      const run = saved.run;
      const pending = saved.pendingHash;
      state = {
        run: run && typeof run === 'object' && typeof run.phase === 'string' && Array.isArray(run.reported) ? structuredClone(run) : null,
        pendingHash: pending && typeof pending === 'object' && typeof pending.file === 'string' && Array.isArray(pending.evidence) ? structuredClone(pending) : null,
        held: structuredClone(saved.held),
        heldTime: typeof saved.heldTime === 'string' ? saved.heldTime : null,
      };
    },
  };
}
