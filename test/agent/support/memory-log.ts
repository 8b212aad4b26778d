// A pino logger that keeps its lines in memory, so tests can assert on the warnings a user would read.
import { pino } from 'pino';
import type { AgentLogger } from '../../../agent/log';

export interface MemoryLog {
  log: AgentLogger;
  lines: { level: number; msg: string; [key: string]: unknown }[];
  messages(minLevel?: number): string[];
}

/** `now` stamps each line's `time` (a test's virtual clock); the system clock by default. */
export function memoryLog(now?: () => number): MemoryLog {
  const lines: MemoryLog['lines'] = [];
  const timestamp = now ? () => `,"time":${now()}` : true;
  const log = pino({ level: 'debug', timestamp }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines, messages: (minLevel = 40) => lines.filter((line) => line.level >= minLevel).map((line) => line.msg) };
}
