// TrustedInstaller session lines: the servicing stack version, session start/finalize, start-up processing.
import type { RecordHandler } from './record';

const STACK = /^Loaded Servicing Stack v(\d+(?:\.\d+){1,3})\b/;

/** Session bookkeeping that carries no fact once failures have been taken out by the failure handler. */
const SESSION_LINES = [
  'TI: --- Initializing Trusted Installer', 'Starting TrustedInstaller initialization', 'Session: ', 'Startup: ',
  'Exec: Processing complete', 'Exec: Processing started', 'Failed to FinalizeEx', 'Failed to perform operation',
];

export function createSessionHandler(): RecordHandler<null> {
  return {
    name: 'session',
    handle(record, context, sink) {
      if (record.component !== 'CBS') return false;
      const text = record.text;
      const stack = STACK.exec(text);
      if (stack?.[1]) {
        sink.observeDevice?.({ at: context.timestampOf(record), servicingStack: stack[1] });
        return true;
      }
      for (const prefix of SESSION_LINES) if (text.startsWith(prefix)) return true;
      return false;
    },
    flush() {},
    snapshot() {
      return null;
    },
    restore() {},
  };
}
