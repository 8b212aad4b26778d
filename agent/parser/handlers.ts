// The ordered list of record handlers the dispatcher offers every non-noise record to.
import type { RecordHandler } from './record';

/**
 * Handler factories in dispatch order. The dispatcher offers each record to these in order until
 * one returns true (consumed). A handler that records a fact but wants later handlers to see the
 * same record returns false. A fresh list is built per parser so handler state is never shared.
 *
 * Unrecognized-line rule: a record counts in `parse.unrecognizedLines` only when no handler
 * consumed it AND it is not known noise (see `noise.ts`: lock, perf, applicability, planning,
 * CSI transaction bookkeeping, DISM API tracing …). Known noise never reaches these handlers.
 */
export function createHandlers(): RecordHandler[] {
  return [];
}
