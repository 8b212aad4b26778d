// Quoting for values put into cmd.exe command lines: a value is quoted whole, or refused when no quoting can hold it.

/**
 * Why `value` cannot sit inside one double-quoted cmd.exe argument, or null when it can.
 *
 * cmd.exe has no escape that works inside quotes: `"` ends the quoting, `%NAME%` and (with delayed
 * expansion) `!NAME!` expand there, and a line break ends the command. So a value is not escaped;
 * it is accepted only when made of printable ASCII without those characters. Also refused:
 * `& | < > ^` (harmless inside quotes, but never part of a legitimate value, and live if quoting
 * were ever lost), `` ` `` and `$` (which expand in a PowerShell string, should the line be pasted
 * into PowerShell), non-ASCII characters (code-page "best fit" turns look-alikes such as `＂` into
 * `"` for ANSI programs), and a trailing backslash (the program's own argument parser reads `\"`
 * as a literal quote and would run on into the next argument).
 */
export function cmdQuotingProblem(value: string): string | null {
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return 'holds a control character or line break';
    if (code > 0x7e) return 'holds a non-ASCII character';
    if (character === '"') return 'holds a double quote';
    if (character === '%' || character === '!') return `holds "${character}", which cmd.exe expands inside quotes`;
    if ('&|<>^'.includes(character)) return `holds the cmd.exe operator "${character}"`;
    if (character === '`' || character === '$') return `holds "${character}", which PowerShell expands inside quotes`;
  }
  if (value.endsWith('\\')) return 'ends with a backslash, which would escape the closing quote';
  return null;
}

export class UnsafeCommandValueError extends Error {
  override readonly name = 'UnsafeCommandValueError';
}

/** `value` as one double-quoted cmd.exe argument; throws UnsafeCommandValueError when it cannot be one. */
export function quoteCmdArgument(value: string): string {
  const problem = cmdQuotingProblem(value);
  if (problem) throw new UnsafeCommandValueError(`a command argument ${problem}`);
  return `"${value}"`;
}

/** A filled command line, or the placeholder whose value could not be put into it and why. */
export type FilledCommand = { ok: true; line: string } | { ok: false; variable: string; problem: string };

/**
 * Fills a command template. `{name}` placeholders must sit inside a double-quoted part of the
 * template (`copy /y "{path}" "{path}.bak"`), so every value lands inside one quoted argument; a
 * placeholder outside quotes is a mistake in the template and throws. A `[…]` part is left out when
 * a placeholder inside it is empty (`/RestoreHealth[ /Source:"{repairSource}" /LimitAccess]`).
 * Each value is checked by `cmdQuotingProblem`, and by `valueProblem` for rules of its kind.
 */
export function fillCommandTemplate(
  template: string,
  variables: Readonly<Record<string, string>>,
  valueProblem: (name: string, value: string) => string | null = () => null,
): FilledCommand {
  let line = '';
  let optional: { text: string; empty: boolean } | null = null;
  let quoted = false;
  for (let at = 0; at < template.length; at++) {
    const character = template[at] as string;
    if (character === '{') {
      const end = template.indexOf('}', at);
      const name = end > at ? template.slice(at + 1, end) : '';
      if (!/^\w+$/.test(name)) throw new Error(`command template ${JSON.stringify(template)}: unclosed or empty placeholder`);
      if (!quoted) throw new Error(`command template ${JSON.stringify(template)}: {${name}} is not inside double quotes`);
      const value = variables[name] ?? '';
      const problem = cmdQuotingProblem(value) ?? valueProblem(name, value);
      if (problem) return { ok: false, variable: name, problem };
      if (optional) {
        optional.text += value;
        if (value === '') optional.empty = true;
      } else line += value;
      at = end;
      continue;
    }
    if (character === '"') {
      if (quoted && template[at - 1] === '\\') throw new Error(`command template ${JSON.stringify(template)}: a backslash before a closing quote escapes it`);
      quoted = !quoted;
    }
    if (character === '[' && !quoted && !optional) {
      optional = { text: '', empty: false };
      continue;
    }
    if (character === ']' && !quoted && optional) {
      if (!optional.empty) line += optional.text;
      optional = null;
      continue;
    }
    if (optional) optional.text += character;
    else line += character;
  }
  if (quoted || optional) throw new Error(`command template ${JSON.stringify(template)}: unbalanced quotes or brackets`);
  return { ok: true, line };
}
