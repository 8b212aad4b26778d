// Which records are known, harmless noise: skipped before any handler, and never "unrecognized".

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

/** Prefix lists keyed by their first character, so a line is compared only with prefixes that can match. */
function byFirstCharacter(prefixes: readonly string[]): Map<number, string[]> {
  const index = new Map<number, string[]>();
  for (const prefix of prefixes) {
    const list = index.get(prefix.charCodeAt(0)) ?? [];
    list.push(prefix);
    index.set(prefix.charCodeAt(0), list);
  }
  return index;
}

const CBS_NOISE = byFirstCharacter(CBS_NOISE_PREFIXES);
const CSI_NOISE = byFirstCharacter(CSI_NOISE_PREFIXES);

/** True when the record can be skipped without offering it to handlers (it then counts as recognized). `textStart` is where the message (after any CSI sequence) begins. */
export function isSkippableNoise(component: string, line: string, textStart: number): boolean {
  // Components that share the log but carry no servicing fact (DISM API, DPX, MOUPG, SP, PANTHR …);
  // DEPLOY is kept for its `[Pnp]` driver-file repair lines.
  if (component !== 'CBS' && component !== 'CSI' && component !== '' && component !== 'DEPLOY') return true;
  const index = component === 'CBS' || component === '' ? CBS_NOISE : component === 'CSI' ? CSI_NOISE : null;
  const candidates = index?.get(line.charCodeAt(textStart));
  if (!candidates) return false;
  for (const prefix of candidates) if (line.startsWith(prefix, textStart)) return true;
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
