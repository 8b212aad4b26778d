// Which records are known, harmless noise: skipped before any handler, and never "unrecognized".
import { spells } from './line-head';
import type { CharCodes } from './utf8-chunks';

/**
 * CBS messages that no handler needs: lock/perf/applicability/planning tracing, TrustedInstaller
 * start-up chatter, WER attachment bookkeeping, SQM upload chatter. Matching is by message start.
 * Lines that carry facts (Reporting package change, Exec:, WER:, Session:, Startup:, Failed …,
 * Loaded Servicing Stack, Summary counters, …) are deliberately absent.
 */
const CBS_NOISE_PREFIXES = [
  'Lock:', 'Perf:', 'Appl:', 'Plan:', 'FLOW:', 'Priority:', 'Progress:', 'Scavenge:', 'Repr:', 'Doqe:',
  'TI: Last boot time', 'TI: Startup Processing', 'NonStart:', 'Winlogon:', 'TiWorker', 'Starting TrustedInstaller', 'Ending TrustedInstaller',
  'Starting the TrustedInstaller', 'Ending the TrustedInstaller', 'TrustedInstaller service',
  'Starting TiWorker', 'Ending TiWorker', 'Starting the TiWorker', 'No startup processing',
  'Startup processing thread', 'Idle processing thread', 'Trusted Installer is shutting down',
  'Loading offline registry hive', 'Offline image is', 'CommitPackagesState:', 'FinalCommitPackagesState:',
  'Real pend', 'Build:', 'Current Overlay', 'TurboContainer', 'No content found', 'Added ',
  'Not able to query DisableWerReporting', 'Failed to query DisableWerReporting',
  'Failed to add %windir%', 'Setting ', 'Clearing HangDetect', 'Saved last global progress',
  'Current global progress', 'Reboot mark', 'Disabling LKG', 'Enabling LKG', 'Arbiter ',
  'SQM: Upload requested', 'SQM: Ignoring upload', 'SQM: Initializing', 'SQM: Failed to start upload',
  'SQM: Package change report datapoints', 'Exec: Using execution sequence', 'Exec: Extracting package',
  'Warning: Unrecognized packageExtended', 'Count of times corruption', 'Seconds between ',
  'Ensure CBS corruption', 'Ensure WCP corruption', 'InternalOpenPackage failed', 'Retrieved original failure status',
  'Resolving Package:', 'Skipping SQM', 'Unloading offline registry hive', 'Mounting offline', 'Sending WER',
] as const;

/** CSI tracing that carries no fact for any handler (transactions, perf, initialisation). */
const CSI_NOISE_PREFIXES = [
  'CSI Transaction @', 'Perf:', 'CSIPERF', 'WcpInitialize', 'CSI Store ', 'Poqexec successfully',
  'Shim considered', 'Creating NT transaction', 'Created NT transaction', 'Performing ', 'Direct SIL provider',
  'CSI Advanced installer perf trace', 'Calling SetupExecute', 'ICSITransaction::', 'Container AI invoked',
  'Finished running all AIs', 'Begin executing advanced installer', 'End executing advanced installer',
] as const;

/** A noise prefix by its first four characters (every prefix is at least that long) and the rest. */
interface NoisePrefix {
  length: number;
  rest: string;
}

/** Four ASCII codes as one small integer. */
function keyOf(a: number, b: number, c: number, d: number): number {
  return (a << 21) | (b << 14) | (c << 7) | d;
}

function byFirstFour(prefixes: readonly string[]): Map<number, NoisePrefix[]> {
  const index = new Map<number, NoisePrefix[]>();
  for (const prefix of prefixes) {
    if (prefix.length < 4) throw new Error(`noise prefix '${prefix}' is shorter than the four characters it is indexed by`);
    const key = keyOf(prefix.charCodeAt(0), prefix.charCodeAt(1), prefix.charCodeAt(2), prefix.charCodeAt(3));
    index.set(key, [...(index.get(key) ?? []), { length: prefix.length, rest: prefix.slice(4) }]);
  }
  return index;
}

const CBS_NOISE = byFirstFour(CBS_NOISE_PREFIXES);
const CSI_NOISE = byFirstFour(CSI_NOISE_PREFIXES);

/**
 * True when the record can be skipped without offering it to handlers (it then counts as recognized).
 * `line[textStart, end)` is the message (after any CSI sequence), read in place as character codes.
 */
export function isSkippableNoise(component: string, line: CharCodes, textStart: number, end: number): boolean {
  // Components that share the log but carry no servicing fact (DISM API, DPX, MOUPG, SP, PANTHR …);
  // DEPLOY is kept for its `[Pnp]` driver-file repair lines.
  if (component !== 'CBS' && component !== 'CSI' && component !== '' && component !== 'DEPLOY') return true;
  if (end - textStart < 4) return false;
  const a = line[textStart] as number;
  const b = line[textStart + 1] as number;
  const c = line[textStart + 2] as number;
  const d = line[textStart + 3] as number;
  if ((a | b | c | d) > 127) return false; // every prefix is ASCII
  const index = component === 'CBS' || component === '' ? CBS_NOISE : component === 'CSI' ? CSI_NOISE : null;
  const candidates = index?.get(keyOf(a, b, c, d));
  if (!candidates) return false;
  for (const prefix of candidates) if (textStart + prefix.length <= end && spells(line, textStart + 4, prefix.rest)) return true;
  return false;
}

/**
 * The unrecognized-line rule, applied to records no handler consumed. Such a record is still
 * "recognized" when it is CSI tracing without the `(F)` failure marker (CSI writes hundreds of
 * informational shapes; the ones that matter are consumed by the corruption and SFC handlers), or
 * comes from another component that shares the log (DISM, DPX, MOUPG, SP, PANTHR, …). What is left —
 * unknown CBS messages, CSI `(F)` lines nobody understood, blank-component and head-less text —
 * counts in `parse.unrecognizedLines`.
 */
export function isToleratedUnconsumed(component: string, level: string | null, text: string): boolean {
  if (component === 'CSI') return !text.startsWith('(F)') && level !== 'Error';
  if (component === 'CBS' || component === '') return text.length === 0;
  return true;
}
