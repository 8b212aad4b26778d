// Structured agent log: pino-format JSON lines into a size-rotated file in the state dir, warnings also on stderr; quiet by default.
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Each call writes one line `{"level":30,"time":"…",…fields,"msg":"…"}`; a pino logger fits this shape too. */
export interface AgentLogger {
  error(fields: object, message?: string): void;
  error(message: string): void;
  warn(fields: object, message?: string): void;
  warn(message: string): void;
  info(fields: object, message?: string): void;
  info(message: string): void;
  debug(fields: object, message?: string): void;
  debug(message: string): void;
}

export interface LogOptions {
  level: 'error' | 'warn' | 'info' | 'debug';
  /** Folder for agent.log and its rotated copies; null logs to stderr only. */
  dir: string | null;
  /** Rotate when the file passes this size. */
  maxBytes?: number;
  /** Rotated files kept (agent.log.1 … agent.log.N). */
  keep?: number;
  /** Also copy warnings and errors to stderr (interactive commands). */
  echoWarnings?: boolean;
}

/** A synchronous append-only file that renames itself to .1, .2 … when it grows too big. */
export class RotatingFile {
  private fd: number;
  private size: number;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly keep: number,
  ) {
    this.fd = openSync(path, 'a', 0o600);
    this.size = statSync(path).size;
  }

  write(line: string): void {
    const bytes = Buffer.from(line, 'utf8');
    if (this.size + bytes.length > this.maxBytes && this.size > 0) this.rotate();
    writeSync(this.fd, bytes);
    this.size += bytes.length;
  }

  private rotate(): void {
    closeSync(this.fd);
    rmSync(`${this.path}.${this.keep}`, { force: true });
    for (let index = this.keep - 1; index >= 1; index--) {
      try {
        renameSync(`${this.path}.${index}`, `${this.path}.${index + 1}`);
      } catch {
        // that generation does not exist yet
      }
    }
    renameSync(this.path, `${this.path}.1`);
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = 0;
  }
}

const LEVEL_WARN = 40;
/** pino's numeric levels, so agent.log reads the same with pino tooling (`pino-pretty`). */
const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;
type LevelName = keyof typeof LEVELS;

/**
 * The agent's own logger rather than pino: the long-running supervisor and every worker would pay
 * ~2.4 MiB of resident memory for pino's code, and the agent writes only a handful of lines.
 */
function lineLogger(level: LevelName | 'silent', write: (line: string) => void): AgentLogger {
  const threshold = level === 'silent' ? Infinity : LEVELS[level];
  const method = (name: LevelName) => {
    const value = LEVELS[name];
    if (value < threshold) return () => {};
    return (first: object | string, message?: string) => {
      const fields = typeof first === 'string' ? {} : first;
      const msg = typeof first === 'string' ? first : message;
      const line: Record<string, unknown> = { level: value, time: new Date().toISOString() };
      for (const [key, field] of Object.entries(fields)) if (key !== 'level' && key !== 'time') line[key] = field;
      if (msg !== undefined) line.msg = msg;
      write(`${JSON.stringify(line)}\n`);
    };
  };
  return { error: method('error'), warn: method('warn'), info: method('info'), debug: method('debug') };
}

export function createLogger(options: LogOptions): AgentLogger {
  let file: RotatingFile | null = null;
  if (options.dir !== null) {
    mkdirSync(options.dir, { recursive: true });
    file = new RotatingFile(join(options.dir, 'agent.log'), options.maxBytes ?? 5 * 1024 * 1024, options.keep ?? 3);
  }
  const echo = options.echoWarnings ?? true;
  return lineLogger(options.level, (line) => {
    file?.write(line);
    if (file === null || (echo && levelOf(line) >= LEVEL_WARN)) process.stderr.write(readable(line));
  });
}

function levelOf(line: string): number {
  const match = /"level":(\d+)/.exec(line);
  return match ? Number(match[1]) : 0;
}

/** One human line for the console: `patchlens-agent: warn: message (key=value …)`. */
function readable(line: string): string {
  try {
    const { level, time: _time, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const name = Number(level) >= 50 ? 'error' : Number(level) >= 40 ? 'warn' : 'info';
    const extra = Object.entries(rest)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    return `patchlens-agent: ${name}: ${String(msg)}${extra ? ` (${extra})` : ''}\n`;
  } catch {
    return line;
  }
}

/** A logger that drops everything (library callers and tests that assert on return values). */
export function silentLogger(): AgentLogger {
  return lineLogger('silent', () => {});
}
