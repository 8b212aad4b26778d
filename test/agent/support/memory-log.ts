// A pino logger that keeps its lines in memory, so tests can assert on the warnings a user would read.
import { pino } from 'pino';
import type { AgentLogger } from '../../../agent/log';

export interface MemoryLog {
  log: AgentLogger;
  lines: { level: number; msg: string; [key: string]: unknown }[];
  messages(minLevel?: number): string[];
}

export function memoryLog(): MemoryLog {
  const lines: MemoryLog['lines'] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines, messages: (minLevel = 40) => lines.filter((line) => line.level >= minLevel).map((line) => line.msg) };
}
