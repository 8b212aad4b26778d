// The ordered list of record handlers the dispatcher offers every non-noise record to.
import { checkSurLogHandler } from './families/checksur-log';
import { csiCorruptionHandler } from './families/csi-corruption';
import { sfcRunHandler } from './families/sfc-run';
import { surBlockHandler } from './families/sur-block';
import { createFailureHandler } from './failure-handler';
import { createPackageStateHandler } from './package-state-handler';
import type { RecordHandler } from './record';
import { createSessionHandler } from './session-handler';

/**
 * Handler factories in dispatch order. The dispatcher offers each record to these in order until
 * one returns true (consumed). A handler that records a fact but wants later handlers to see the
 * same record returns false. A fresh list is built per parser so handler state is never shared.
 *
 * The corruption and scan family handlers go first and consume only their own lines. Of the core
 * handlers the failure handler comes first: it must see session boundaries (it returns false for
 * them) and takes only CBS `Failed …`, WER, Startup and prerequisite lines.
 *
 * Unrecognized-line rule: a record counts in `parse.unrecognizedLines` only when no handler
 * consumed it AND it is not known noise (see `noise.ts`): noise prefixes are skipped before any
 * handler, and unconsumed CSI tracing without `(F)` or lines of other components are tolerated.
 */
export function createHandlers(): RecordHandler[] {
  return [
    // Corruption and scan families go first: they only consume their own lines, and return false for
    // lines others need (session start, `Mark store corruption flag …`, lines after a SUR block).
    sfcRunHandler(),
    csiCorruptionHandler(),
    checkSurLogHandler(),
    surBlockHandler(),
    createFailureHandler(),
    createPackageStateHandler(),
    createSessionHandler(),
  ] as RecordHandler[];
}
