// Install failures: one failure per attempt from `Failed to …` chains, WER reports, Startup and prerequisite lines.
import type { FailureRecord } from '../protocol/report';
import { wallClockMillis } from './clock';
import { detach } from './framer';
import { findHresult, hresultNameOf, isFailureCode } from './hresult-text';
import { readKeyValues } from './key-values';
import { cleanIdentity, kbOfPackage } from './package-identity';
import type { FactSink, LogRecord, ParseContext, RecordHandler } from './record';

/** How a failing line takes part in an attempt. */
type LineRole =
  /** `Failed to …` — a link of a chain; alone it is not a failure (start-up re-evaluation repeats these). */
  | 'link'
  /** Ends an attempt that no WER line reports: Exec: Processing complete with a failure, prerequisite. */
  | 'terminal'
  /** Post-reboot processing (`Startup: …`): one failure per start-up, whatever codes follow. */
  | 'startup';

interface FailingLine {
  role: LineRole;
  code: string;
  printedName: string | null;
  package: string | null;
}

interface OpenChain {
  code: string;
  printedName: string | null;
  operation: string | null;
  /** Raw head lines of the first links (evidence), at most four. */
  evidence: string[];
  role: LineRole;
  terminalAt: string | null;
  package: string | null;
  lastMillis: number | null;
}

interface FailureState {
  chain: OpenChain | null;
  /** The last failure emitted in this session; its trailing lines (same code) are absorbed. */
  emitted: { code: string; package: string | null } | null;
  /** Client of the session's `Exec: Processing started` line. */
  sessionClient: string | null;
}

/** Links further apart than this belong to different attempts. */
const CHAIN_GAP_MS = 120_000;
const MAX_CHAIN_EVIDENCE = 4;

/** Lines that mention a failure but report none of an install attempt. */
const NOT_ATTEMPT_FAILURES = [
  'SQM:', 'Failed to query DisableWerReporting', 'Not able to query DisableWerReporting', 'Failed to create backup log cab', 'InternalOpenPackage failed', 'Failed to get next package to re-evaluate',
];

const SESSION_BOUNDARY = [
  'TI: --- Initializing Trusted Installer', 'Starting TrustedInstaller initialization', 'Loaded Servicing Stack',
  'Exec: Processing started.',
];

/** Lines that close a session and restate its result; after a reported failure they add nothing. */
const SESSION_TRAILERS = ['Exec: Processing complete', 'Failed to perform operation', 'Session: ', 'Failed to FinalizeEx'];

const PREREQUISITE = /^Package "([^"]+)" requires Servicing Stack/;

function unwrapped(record: LogRecord): string {
  // The head text decides; continuations only matter when a console wrap split the `[HRESULT = …]`.
  return record.continuation.length === 0 || record.text.length === 0 ? record.text : record.text + record.continuation.join('');
}

/** `Failed to stage execution chain. [HRESULT …]` → `stage execution chain`; otherwise the message up to its code. */
export function operationOf(text: string): string {
  const failed = /\bfailed to\s+(.+?)(?=\s*\[HRESULT|\s*\[|\.\s|\.$|,\s|$)/i.exec(text);
  const operation = failed?.[1] ?? (text.replace(/\s*\[HRESULT[\s\S]*$/, '').split(/\.\s/)[0] ?? '').replace(/[.\s]+$/, '');
  return operation.slice(0, 500);
}

function classify(text: string, full: string): FailingLine | null {
  // Every failing line names its code as `HRESULT` (`status:` only on WER lines, handled apart).
  if (full.indexOf('HRESULT') === -1) return null;
  for (const prefix of NOT_ATTEMPT_FAILURES) if (text.startsWith(prefix)) return null;
  if (text.includes('to WER report')) return null; // Failed to add pending.xml to WER report
  const prerequisite = PREREQUISITE.exec(text);
  const startup = text.startsWith('Startup:');
  const complete = text.startsWith('Exec: Processing complete');
  if (!prerequisite && !startup && !complete && !/\bfailed\b/i.test(text) && !text.startsWith('Session:')) return null;
  if (complete && !/Package:/.test(text)) return null; // corruption-repair session: a scan result, not an install
  const found = findHresult(full);
  if (!found || !isFailureCode(found.code)) return null;
  if (prerequisite) return { role: 'terminal', code: found.code, printedName: found.printedName, package: cleanIdentity(prerequisite[1]) };
  if (startup) return { role: 'startup', code: found.code, printedName: found.printedName, package: null };
  if (complete) {
    return { role: 'terminal', code: found.code, printedName: found.printedName, package: cleanIdentity(readKeyValues(full).get('Package')) };
  }
  return { role: 'link', code: found.code, printedName: found.printedName, package: null };
}

export function createFailureHandler(): RecordHandler<FailureState> {
  let state: FailureState = { chain: null, emitted: null, sessionClient: null };

  function emit(context: ParseContext, sink: FactSink, failure: Omit<FailureRecord, 'kb' | 'hresultName'> & { printedName: string | null }): void {
    const { printedName, ...rest } = failure;
    sink.addFailure({
      at: rest.at,
      package: rest.package,
      kb: rest.package ? kbOfPackage(rest.package, context.catalog) : null,
      hresult: rest.hresult,
      hresultName: hresultNameOf(rest.hresult, printedName),
      failureSource: rest.failureSource,
      startState: rest.startState,
      targetState: rest.targetState,
      client: rest.client,
      operation: rest.operation,
      evidence: rest.evidence,
    });
    state.emitted = { code: rest.hresult, package: rest.package };
  }

  /** Closes the open chain: an attempt that ended without a WER report becomes a failure; bare links are dropped. */
  function closeChain(context: ParseContext, sink: FactSink): void {
    const chain = state.chain;
    state.chain = null;
    if (!chain || chain.role === 'link' || !chain.terminalAt) return;
    emit(context, sink, {
      at: chain.terminalAt,
      package: chain.package,
      hresult: chain.code,
      printedName: chain.printedName,
      failureSource: chain.role === 'startup' ? 'Startup' : null,
      startState: null,
      targetState: null,
      client: chain.role === 'startup' ? null : state.sessionClient,
      operation: chain.operation,
      evidence: chain.evidence.slice(0, 5),
    });
  }

  function onWer(record: LogRecord, context: ParseContext, sink: FactSink): void {
    const text = unwrapped(record);
    const values = readKeyValues(text);
    const chain = state.chain;
    const status = values.get('status');
    const code = (status ? findHresult(`status: ${status.split(/\s/)[0] ?? ''}`)?.code : null) ?? chain?.code ?? null;
    state.chain = null;
    if (!code || !isFailureCode(code)) return;
    const sameAttempt = chain !== null && chain.code === code;
    const evidence = sameAttempt ? [...chain.evidence.slice(0, MAX_CHAIN_EVIDENCE), detach(record.raw)] : [detach(record.raw)];
    emit(context, sink, {
      at: context.timestampOf(record),
      package: cleanIdentity(values.get('package')),
      hresult: code,
      printedName: sameAttempt ? chain.printedName : null,
      failureSource: values.get('failure source') ?? null,
      startState: values.get('start state') ?? null,
      targetState: values.get('target state') ?? null,
      client: values.get('client id') ?? state.sessionClient,
      operation: sameAttempt ? chain.operation : null,
      evidence,
    });
  }

  return {
    name: 'failure-chain',
    handle(record, context, sink) {
      if (record.component !== 'CBS' && record.component !== '') return false;
      const text = record.text;
      if (text.length === 0) return false;
      for (const boundary of SESSION_BOUNDARY) {
        if (text.startsWith(boundary)) {
          closeChain(context, sink);
          state.emitted = null;
          state.sessionClient = boundary === 'Exec: Processing started.' ? (readKeyValues(text).get('Client') ?? null) : null;
          return false;
        }
      }
      if (text.startsWith('WER: Generating failure report')) {
        onWer(record, context, sink);
        return true;
      }
      const full = unwrapped(record);
      const line = classify(text, full);
      if (!line) return false;
      const emitted = state.emitted;
      if (!state.chain && emitted && emitted.code === line.code && (line.package === null || line.package === emitted.package)) {
        if (SESSION_TRAILERS.some((prefix) => text.startsWith(prefix))) return true; // restates the reported failure
      }
      const millis = record.time ? wallClockMillis(record.time) : null;
      let chain = state.chain;
      const joinsStartup = chain?.role === 'startup' && line.role === 'startup';
      const gap = chain !== null && chain.lastMillis !== null && millis !== null && millis - chain.lastMillis > CHAIN_GAP_MS;
      if (chain && ((chain.code !== line.code && !joinsStartup) || gap)) {
        closeChain(context, sink);
        chain = null;
      }
      if (!chain) {
        state.emitted = null;
        chain = {
          code: line.code,
          printedName: line.printedName,
          operation: operationOf(text),
          evidence: [],
          role: 'link',
          terminalAt: null,
          package: null,
          lastMillis: millis,
        };
        state.chain = chain;
      }
      if (chain.evidence.length < MAX_CHAIN_EVIDENCE) chain.evidence.push(detach(record.raw));
      chain.lastMillis = millis ?? chain.lastMillis;
      if (line.role !== 'link' && chain.role === 'link') {
        chain.role = line.role;
        chain.terminalAt = context.timestampOf(record);
        chain.package = line.package;
      }
      return true;
    },
    flush(context, sink, final) {
      if (final) closeChain(context, sink);
    },
    snapshot() {
      return structuredClone(state);
    },
    restore(saved) {
      state = structuredClone(saved);
    },
  };
}
