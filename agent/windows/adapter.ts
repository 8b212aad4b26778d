// The one door to Windows: PowerShell, expand.exe, icacls, schtasks. Everything above it is testable anywhere.
import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SystemAdapter {
  /** `win32` on Windows; tests pretend either way. */
  readonly platform: NodeJS.Platform;
  /** Runs a PowerShell script (Windows PowerShell 5.1, no profile) and returns its UTF-8 output. */
  powershell(script: string, timeoutMs?: number): Promise<CommandResult>;
  /** Runs a program with arguments (no shell). */
  run(file: string, args: readonly string[], timeoutMs?: number): Promise<CommandResult>;
}

const DEFAULT_TIMEOUT_MS = 120_000;

/** Executes real programs through child_process (used on every platform; PowerShell only exists on Windows). */
export class ProcessAdapter implements SystemAdapter {
  constructor(readonly platform: NodeJS.Platform = process.platform) {}

  powershell(script: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CommandResult> {
    // -EncodedCommand takes UTF-16LE base64, which sidesteps every quoting rule of cmd and PowerShell.
    const encoded = Buffer.from(`[Console]::OutputEncoding = [System.Text.Encoding]::UTF8\n${script}`, 'utf16le').toString('base64');
    const exe = this.platform === 'win32' ? 'powershell.exe' : 'pwsh';
    return this.run(exe, ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encoded], timeoutMs);
  }

  run(file: string, args: readonly string[], timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CommandResult> {
    return new Promise((resolve) => {
      execFile(
        file,
        args,
        { timeout: timeoutMs, windowsHide: true, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number') {
            // Spawn failure (ENOENT) or timeout: report as a failed command, never throw.
            resolve({ code: 127, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') || error.message });
            return;
          }
          resolve({ code: error ? Number(error.code) : 0, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
  }
}

/** Fails with the command's own words, for callers that cannot continue without it. */
export function checkResult(what: string, result: CommandResult): CommandResult {
  if (result.code === 0) return result;
  const detail = (result.stderr || result.stdout).trim().split(/\r?\n/).slice(0, 3).join(' ');
  throw new Error(`${what} failed (exit ${result.code})${detail ? `: ${detail}` : ''}`);
}

/** `expand.exe -F:* cab dir`: the system's own cabinet extractor. */
export async function expandCab(adapter: SystemAdapter, cabPath: string, destDir: string): Promise<void> {
  checkResult(`expand.exe ${cabPath}`, await adapter.run('expand.exe', ['-F:*', cabPath, destDir]));
}

/** Well-known SIDs, so the ACL is right on every display language. */
const SID_SYSTEM = '*S-1-5-18';
const SID_ADMINISTRATORS = '*S-1-5-32-544';

/** The icacls arguments that leave only SYSTEM and Administrators on a secret file. */
export function ownerOnlyAclArgs(path: string): string[] {
  return [path, '/inheritance:r', '/grant:r', `${SID_SYSTEM}:F`, `${SID_ADMINISTRATORS}:F`];
}

/** Restricts a secret file on Windows (POSIX callers already created it 0600). */
export async function restrictToOwner(adapter: SystemAdapter, path: string): Promise<void> {
  if (adapter.platform !== 'win32') return;
  checkResult(`icacls ${path}`, await adapter.run('icacls', ownerOnlyAclArgs(path)));
}
