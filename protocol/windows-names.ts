// Windows naming rules for every value that can reach a repair command: host names, component keys, families, file names, versions.
// Plain predicates without zod, so the agent's quick commands can check a flag without loading it; the schemas are in report.ts.

/**
 * Characters cmd.exe or PowerShell read even inside double quotes (`" % !` end the quoting or expand
 * variables; `` ` $ `` expand in a PowerShell string) or that join or redirect commands (`& | < > ^`).
 * No Windows name needs them, so a name holding one is refused, not escaped.
 */
export const SHELL_SPECIAL_CHARACTERS = '"%!^&|<>`$';
/** Characters Windows does not allow in a file or folder name. */
const WINDOWS_RESERVED_CHARACTERS = '<>:"/\\|?*';

/** Printable ASCII only: no control characters, line breaks, tabs, or look-alike Unicode quotes and dashes. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const HOST_LABEL = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
export const VERSION_PATTERN = /^\d{1,10}(?:\.\d{1,10}){0,3}$/;
export const ARCH_PATTERN = /^[A-Za-z0-9_]{1,20}$/;

export const HOSTNAME_MAX_CHARS = 253;
export const HOST_LABEL_MAX_CHARS = 63;
/** Longest file or folder name Windows allows (MAX_PATH component). */
export const NAME_MAX_CHARS = 255;

function firstOf(value: string, characters: string): string | null {
  for (const character of value) if (characters.includes(character)) return character;
  return null;
}

function describe(character: string): string {
  return `"${character}"`;
}

/**
 * Why `value` is not a host name, or null when it is. NetBIOS and DNS rules: dot-separated labels of
 * 1–63 ASCII letters, digits, hyphens and underscores (NetBIOS names and many legacy hosts carry
 * underscores), a label never starting with a hyphen, at most 253 characters in all.
 */
export function hostnameProblem(value: string): string | null {
  if (value.length === 0 || value.length > HOSTNAME_MAX_CHARS) return `a host name has 1 to ${HOSTNAME_MAX_CHARS} characters`;
  for (const label of value.split('.')) {
    if (label.length === 0 || label.length > HOST_LABEL_MAX_CHARS) return `each dot-separated part of a host name has 1 to ${HOST_LABEL_MAX_CHARS} characters`;
    if (!HOST_LABEL.test(label)) return 'a host name holds only ASCII letters, digits, hyphens and underscores (NetBIOS/DNS rules), and no part starts with a hyphen';
  }
  return null;
}

function textProblem(value: string, what: string): string | null {
  if (!PRINTABLE_ASCII.test(value)) return `${what} holds only printable ASCII: no control characters, line breaks or tabs, no non-ASCII characters`;
  const shell = firstOf(value, SHELL_SPECIAL_CHARACTERS);
  if (shell) return `${what} must not hold ${describe(shell)}: none of ${SHELL_SPECIAL_CHARACTERS.split('').join(' ')} belongs in a Windows name`;
  return null;
}

/** Why `value` is not one Windows file or folder name (a component key, a family, one segment of a file path), or null. */
export function windowsNameProblem(value: string, what = 'a Windows name'): string | null {
  if (value.length === 0 || value.length > NAME_MAX_CHARS) return `${what} has 1 to ${NAME_MAX_CHARS} characters`;
  const text = textProblem(value, what);
  if (text) return text;
  const reserved = firstOf(value, WINDOWS_RESERVED_CHARACTERS);
  if (reserved) return `${what} must not hold ${describe(reserved)}: Windows allows none of ${WINDOWS_RESERVED_CHARACTERS.split('').join(' ')} in a name`;
  if (value === '.' || value === '..') return `${what} is not "." or ".."`;
  return null;
}

/**
 * Why `value` is not a file as servicing logs name it, or null: a name, or a relative path inside
 * the component folder whose segments are names (26100 writes `r\WMIC.exe`). Never absolute, never
 * a `\\?\` or UNC path, never climbing out with `..`.
 */
export function windowsFileProblem(value: string): string | null {
  if (value.length === 0) return null; // no file named
  for (const segment of value.split('\\')) {
    const problem = windowsNameProblem(segment, 'each part of a file path');
    if (problem) return problem;
  }
  return null;
}

/**
 * Why `value` is not a component as logs name it, or null: a WinSxS key, a package identity
 * (`Name~token~arch~lang~version`), or an identity string (`name, version 10.0.19041.4355, arch amd64,
 * nonSxS, pkt {l:8 b:31bf3856ad364e35}`), whose commas, spaces, braces and colons stay allowed.
 */
export function componentProblem(value: string): string | null {
  if (value.length === 0) return null; // no component named
  const text = textProblem(value, 'a component');
  if (text) return text;
  const path = firstOf(value, '\\/*?');
  if (path) return `a component must not hold ${describe(path)}`;
  return null;
}

export function isHostname(value: string): boolean {
  return hostnameProblem(value) === null;
}
export function isWindowsName(value: string): boolean {
  return windowsNameProblem(value) === null;
}
export function isWindowsFile(value: string): boolean {
  return windowsFileProblem(value) === null;
}
export function isComponent(value: string): boolean {
  return componentProblem(value) === null;
}
/** `10.0.19041.746`: one to four dot-separated numbers. */
export function isComponentVersion(value: string): boolean {
  return VERSION_PATTERN.test(value);
}
/** `amd64`, `wow64`, `msil`, …: letters, digits and underscores. */
export function isArchitecture(value: string): boolean {
  return ARCH_PATTERN.test(value);
}
