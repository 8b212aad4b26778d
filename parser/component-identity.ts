// Pure parsers for the ways servicing logs name a component or package: WinSxS keys, quoted names, identity strings.

/** What a log line says about one component (or package): `family` is the name clustering keys on. */
export interface ComponentIdentity {
  /** The name alone: no architecture, public key token, version, culture or hash. Truncated `a..b` names stay as logged. */
  family: string;
  arch: string | null;
  version: string | null;
  culture: string | null;
  publicKeyToken: string | null;
  /** The identity exactly as the log wrote it (key, identity string or package identity). */
  text: string;
}

const ARCH_WORDS: Readonly<Record<string, string>> = {
  amd64: 'amd64',
  x86: 'x86',
  wow64: 'wow64',
  msil: 'msil',
  arm64: 'arm64',
  arm: 'arm',
  ia64: 'ia64',
  neutral: 'neutral',
  processor_architecture_amd64: 'amd64',
  processor_architecture_intel: 'x86',
  processor_architecture_ia32_on_win64: 'wow64',
  processor_architecture_msil: 'msil',
  processor_architecture_arm64: 'arm64',
  processor_architecture_arm: 'arm',
  processor_architecture_ia64: 'ia64',
  processor_architecture_neutral: 'neutral',
};

/** Maps the architecture words logs use (`amd64`, `PROCESSOR_ARCHITECTURE_INTEL (0)`, `wow64`) to one spelling. */
export function normalizeArch(word: string | null | undefined): string | null {
  if (!word) return null;
  const key = word.trim().replace(/\s*\(\d+\)$/, '').toLowerCase();
  return ARCH_WORDS[key] ?? null;
}

const KEY_ARCH = '(?:amd64|x86|wow64|msil|arm64|arm|ia64)';
const KEY_BODY = `(${KEY_ARCH})_([^\\s\\\\/'"]+?)_([0-9a-f]{16})_(\\d+(?:\\.\\d+){1,3})_([A-Za-z0-9-]+)_([0-9a-f]{16})`;
const KEY_EXACT = new RegExp(`^${KEY_BODY}$`, 'i');
const KEY_ANYWHERE = new RegExp(KEY_BODY, 'i');

function identityFromKeyMatch(match: RegExpExecArray): ComponentIdentity {
  return {
    family: match[2] ?? '',
    arch: normalizeArch(match[1]),
    version: match[4] ?? null,
    culture: match[5]?.toLowerCase() === 'none' ? null : (match[5] ?? null),
    publicKeyToken: match[3]?.toLowerCase() ?? null,
    text: match[0],
  };
}

/**
 * A WinSxS component key `arch_name_token_version_culture_hash`
 * (`amd64_dual_wpdmtp.inf_31bf3856ad364e35_10.0.19041.746_none_8478465c1c781ea5` → family `dual_wpdmtp.inf`).
 * Names may hold `_`, dots, dashes and the `..` of a truncated name.
 */
export function parseComponentKey(text: string): ComponentIdentity | null {
  const match = KEY_EXACT.exec(text.trim());
  return match ? identityFromKeyMatch(match) : null;
}

/** A component key somewhere inside a longer text, with the text before and after it. */
export interface KeyInText {
  identity: ComponentIdentity;
  before: string;
  after: string;
}

/** Finds the first component key in `text`, even when separators vanished (`identityamd64_…`, `…47ebHKLM\…`). */
export function findComponentKey(text: string): KeyInText | null {
  const match = KEY_ANYWHERE.exec(text);
  if (!match) return null;
  return {
    identity: identityFromKeyMatch(match),
    before: text.slice(0, match.index),
    after: text.slice(match.index + match[0].length),
  };
}

/**
 * A key followed by a path inside the component folder (`key\WpdMtpUS.dll`, 26100's `key\r\WMIC.exe`).
 * The path is returned verbatim: on 26100 `\r\` is a real sub-directory, not an escape.
 */
export function parseKeyWithPath(text: string): { identity: ComponentIdentity; file: string | null } | null {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('\\');
  const keyPart = slash >= 0 ? trimmed.slice(0, slash) : trimmed;
  const identity = parseComponentKey(keyPart);
  if (!identity) return null;
  const file = slash >= 0 ? trimmed.slice(slash + 1) : '';
  return { identity, file: file.length > 0 ? file : null };
}

/** A quoted name: its value and what follows the closing quote. */
export interface QuotedName {
  value: string;
  rest: string;
  /** Index of the opening `[` in the input. */
  index: number;
}

// `[l:14]'x'`, `[l:77 ml:140]'x'`, `[l:162{81}]"x"`, `[ml:520{260},l:108{54}]"x"`, and the OCR-damaged `[1:14]'x'`.
const QUOTED_NAME = /\[(?:ml|[l1I]):[0-9{}, :mlI]*\](['"])/;

/** Parses the first length-prefixed quoted name in `text` (`[l:12]'WpdMtpUS.dll'` → `WpdMtpUS.dll`). */
export function parseQuotedName(text: string): QuotedName | null {
  const match = QUOTED_NAME.exec(text);
  if (!match) return null;
  const quote = match[1] ?? "'";
  const start = match.index + match[0].length;
  const end = text.indexOf(quote, start);
  if (end < 0) return { value: text.slice(start), rest: '', index: match.index };
  return { value: text.slice(start, end), rest: text.slice(end + 1), index: match.index };
}

const VERSION_FIELD = /\bversion\s*=?\s*(\d+(?:\.\d+){1,3})/i;
const ARCH_FIELD = /\barch\s+(\w+)|\bpA\s*=\s*(PROCESSOR_ARCHITECTURE_\w+)|\bProcessorArchitecture\s*=\s*(\w+)/i;
const CULTURE_FIELD = /\bculture[\s=]+([A-Za-z0-9-]+)/i;
const TOKEN_FIELD = /\b(?:pkt|PublicKeyToken)\s*=?\s*(?:[{[][l1]:8\s+b:)?([0-9a-f]{16})/i;

/**
 * An identity string, in any of the generations CSI has written:
 * Win10+ `dual_wpdmtp.inf, version 10.0.19041.4355, arch amd64, nonSxS, pkt {l:8 b:31bf3856ad364e35}`,
 * Win7 `Name, Version = 6.1.7601.23455, pA = PROCESSOR_ARCHITECTURE_AMD64 (9), Culture neutral, …`,
 * 1809 `Name, Culture=neutral, Version=10.0.17763.1, PublicKeyToken=…, ProcessorArchitecture=amd64, …`.
 * Returns null when there is no name followed by at least a version or an architecture.
 */
export function parseComponentIdentity(text: string): ComponentIdentity | null {
  const trimmed = text.trim().replace(/^['"]|['"]$/g, '');
  const comma = trimmed.indexOf(',');
  if (comma <= 0) return null;
  const family = trimmed.slice(0, comma).trim();
  const fields = trimmed.slice(comma + 1);
  if (!family || /\s/.test(family)) return null;
  const version = VERSION_FIELD.exec(fields)?.[1] ?? null;
  const archMatch = ARCH_FIELD.exec(fields);
  const arch = normalizeArch(archMatch?.[1] ?? archMatch?.[2] ?? archMatch?.[3]);
  if (!version && !arch) return null;
  const culture = CULTURE_FIELD.exec(fields)?.[1] ?? null;
  return {
    family,
    arch,
    version,
    culture: culture && culture.toLowerCase() !== 'neutral' ? culture : null,
    publicKeyToken: TOKEN_FIELD.exec(fields)?.[1]?.toLowerCase() ?? null,
    text: trimmed,
  };
}

const PACKAGE_IDENTITY = /([A-Za-z0-9][A-Za-z0-9_.-]*)~([0-9a-f]{16})?~([A-Za-z0-9]*)~([^~\s]*)~(\d+(?:\.\d+){1,3})/i;

/**
 * A package identity `Name~token~arch~lang~version` anywhere in `text`
 * (`Microsoft-Windows-Client-Features-Package~31bf3856ad364e35~amd64~~10.0.19041.4291` → family
 * `Microsoft-Windows-Client-Features-Package`). Damaged language fields (`de-@E`) are tolerated.
 */
export function parsePackageIdentity(text: string): ComponentIdentity | null {
  const match = PACKAGE_IDENTITY.exec(text);
  if (!match) return null;
  const end = match.index + match[0].length;
  // Keep trailing identity text (`.3172605-377_neutral_LDR`) but not a file extension.
  const tail = /^[^\s'",]*/.exec(text.slice(end))?.[0] ?? '';
  const full = (match[0] + tail).replace(/\.(?:mum|cat|manifest)$/i, '').replace(/\.+$/, '');
  return {
    family: match[1] ?? '',
    arch: normalizeArch(match[3]),
    version: match[5] ?? null,
    culture: match[4] ? match[4] : null,
    publicKeyToken: match[2]?.toLowerCase() ?? null,
    text: full,
  };
}

/** Restores the usual e-mail/OCR damage of identity syntax: `[1:14]` → `[l:14]`, `[1:8 b:` → `{l:8 b:`. */
export function repairIdentityDamage(text: string): string {
  return text.replace(/\[1:8 b:([0-9a-f]{16})\]?/gi, '{l:8 b:$1}').replace(/\[1:(\d+)/g, '[l:$1');
}
