// A full garbage collection between the phases of a worker's cycle, when the worker runs with --expose-gc (WORKER_NODE_FLAGS).
/**
 * V8 collects when allocation pressure says so, not when a phase ends: without this, the scan's
 * leftovers (decoded chunks, the restored snapshot's JSON) are still in the heap while the report
 * is built and sent, and the heap grows to hold both. A collection at each boundary on a heap of a
 * few MiB takes milliseconds. Without the flag (tests, `scan`) it does nothing.
 */
export function collectBetweenPhases(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
