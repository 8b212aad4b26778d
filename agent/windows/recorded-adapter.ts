// A SystemAdapter that answers from recorded outputs, for tests on any platform; it also logs every call.
import type { CommandResult, SystemAdapter } from './adapter';

export interface RecordedCall {
  file: string;
  args: readonly string[];
}

/** Answers a call: a recorded result, or a function for calls with side effects (expand.exe writes files). */
export type RecordedAnswer = CommandResult | ((call: RecordedCall) => CommandResult | Promise<CommandResult>);

export class RecordedAdapter implements SystemAdapter {
  readonly calls: RecordedCall[] = [];
  private readonly answers = new Map<string, RecordedAnswer>();

  constructor(readonly platform: NodeJS.Platform = 'win32') {}

  /** Registers the answer for a program (`expand.exe`, `icacls`, `schtasks`) or `powershell`. */
  answer(file: string, answer: RecordedAnswer): this {
    this.answers.set(file.toLowerCase(), answer);
    return this;
  }

  powershell(script: string): Promise<CommandResult> {
    return this.run('powershell', [script]);
  }

  async run(file: string, args: readonly string[]): Promise<CommandResult> {
    const call = { file, args };
    this.calls.push(call);
    const answer = this.answers.get(file.toLowerCase());
    if (answer === undefined) return { code: 127, stdout: '', stderr: `${file}: not recorded` };
    return typeof answer === 'function' ? answer(call) : answer;
  }
}
