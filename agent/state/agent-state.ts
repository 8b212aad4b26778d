// The incremental state of the log collector (parser snapshot + file cursors + sequence) as ONE atomically written file.
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { stageFile, writeFileAtomic, type StagedFile } from './atomic-file';

export const fileCursorSchema = z.object({
  path: z.string(),
  offset: z.number().int().min(0),
  size: z.number().int().min(0),
  headFingerprint: z.string(),
  headLength: z.number().int().min(0),
});

export const agentStateSchema = z.object({
  version: z.literal(1),
  /** Sequence of the last report put in the spool. */
  sequence: z.number().int().min(-1),
  /** Cursor per log file, keyed by base name (`CBS.log`, `CbsPersist_20241121135522.log`, `CbsPersist_….cab`). */
  cursors: z.record(z.string(), fileCursorSchema),
  /** The parser's own JSON snapshot; the parser checks it on restore. */
  parser: z.unknown().nullable(),
  /** Identity used when the system has none to offer (not Windows, no MachineGuid). */
  generatedDeviceId: z.string().nullable(),
  savedAt: z.string(),
});
export type AgentState = z.infer<typeof agentStateSchema>;
export type StoredCursor = z.infer<typeof fileCursorSchema>;

export function emptyState(): AgentState {
  return { version: 1, sequence: -1, cursors: {}, parser: null, generatedDeviceId: null, savedAt: new Date(0).toISOString() };
}

export function statePath(stateDir: string): string {
  return join(stateDir, 'state.json');
}

export interface LoadedState {
  state: AgentState;
  /** Set when the file was unreadable and the agent starts over (it re-reads logs; facts dedupe). */
  problem: string | null;
}

/**
 * Loads state.json. Thanks to the atomic write it is never half-written; if it is damaged anyway
 * (disk fault, hand edit) it is kept as state.json.bad and the agent starts from the beginning of
 * the logs: the next report restates everything, so no fact is lost.
 */
export function loadState(stateDir: string): LoadedState {
  const path = statePath(stateDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyState(), problem: null };
    return { state: emptyState(), problem: `cannot read ${path}: ${(error as Error).message}` };
  }
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // handled below
  }
  const parsed = agentStateSchema.safeParse(json);
  if (parsed.success) return { state: parsed.data, problem: null };
  try {
    renameSync(path, `${path}.bad`);
  } catch {
    // leave it; it will be overwritten by the next save
  }
  return { state: emptyState(), problem: `${path} was damaged (kept as state.json.bad); reading all logs again` };
}

export function saveState(stateDir: string, state: AgentState): void {
  writeFileAtomic(statePath(stateDir), JSON.stringify(state));
}

/** Writes the next state durably beside state.json; it replaces state.json only on `commit`. */
export function stageState(stateDir: string, state: AgentState): StagedFile {
  return stageFile(statePath(stateDir), JSON.stringify(state));
}

/**
 * The id this agent invented for itself on systems without MachineGuid. Created and saved before
 * anything is spooled, so a crash can never give one device two identities. A caller that has
 * just loaded the state passes it in rather than reading (and holding) state.json twice.
 */
export function ensureGeneratedDeviceId(stateDir: string, now: () => Date, state: AgentState = loadState(stateDir).state): string {
  if (state.generatedDeviceId !== null) return state.generatedDeviceId;
  const id = randomUUID();
  saveState(stateDir, { ...state, generatedDeviceId: id, savedAt: now().toISOString() });
  return id;
}
