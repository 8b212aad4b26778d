// Reads the head of one physical CBS.log line: time stamp, severity, message id, component, message start.

/** Mutable result of a head read; one instance is reused for every line to keep the hot loop allocation-free. */
export interface LineHead {
  /** Index of `YYYY-MM-DD HH:MM:SS` in the line, or -1 when the head has no (real) time stamp. */
  timeStart: number;
  level: string;
  messageId: string | null;
  component: string;
  /** Index where the message begins (may equal the line length: empty message). */
  messageStart: number;
}

export function emptyLineHead(): LineHead {
  return { timeStart: -1, level: '', messageId: null, component: '', messageStart: 0 };
}

const SPACE = 32;
const TIME_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18] as const;
const TAB = 9;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isUpper(code: number): boolean {
  return code >= 65 && code <= 90;
}

/** Interned spellings so the hot loop does not slice a new string for every line. */
function levelOf(line: string, start: number, end: number): string {
  const length = end - start;
  if (length === 4 && line.startsWith('Info', start)) return 'Info';
  if (length === 5 && line.startsWith('Error', start)) return 'Error';
  if (length === 7 && line.startsWith('Warning', start)) return 'Warning';
  return line.slice(start, end);
}

const KNOWN_COMPONENTS = ['CBS', 'CSI', 'DISM', 'DPX', 'DEPLOY', 'MOUPG', 'SP', 'PANTHR'] as const;

function componentOf(line: string, start: number, end: number): string {
  const length = end - start;
  for (const known of KNOWN_COMPONENTS) {
    if (known.length === length && line.startsWith(known, start)) return known;
  }
  return line.slice(start, end);
}

/**
 * The byte-faithful layout measured on real logs: time in cols 0–18, `, `, a 22-column severity
 * field from col 21 (either the padded level, or an 11-column level plus `[0x01806a] `), the
 * component in cols 43–49 (possibly blank) and the message from col 50.
 */
export function readFixedHead(line: string, out: LineHead): boolean {
  const length = line.length;
  if (length < 43) return false;
  if (
    line.charCodeAt(4) !== 45 || line.charCodeAt(7) !== 45 || line.charCodeAt(10) !== SPACE ||
    line.charCodeAt(13) !== 58 || line.charCodeAt(16) !== 58 || line.charCodeAt(19) !== 44 ||
    line.charCodeAt(20) !== SPACE || line.charCodeAt(42) !== SPACE
  ) {
    return false;
  }
  for (const at of TIME_DIGITS) if (!isDigit(line.charCodeAt(at))) return false;
  let levelEnd = 21;
  while (levelEnd < 32) {
    const code = line.charCodeAt(levelEnd);
    if (!((code >= 65 && code <= 90) || (code >= 97 && code <= 122))) break;
    levelEnd++;
  }
  if (levelEnd === 21) return false;
  let messageId: string | null = null;
  let padEnd = 42;
  if (line.charCodeAt(32) === 91 /* [ */ && line.charCodeAt(41) === 93 /* ] */ && line.charCodeAt(33) === 48) {
    messageId = line.slice(33, 41);
    padEnd = 32;
  }
  for (let i = levelEnd; i < padEnd; i++) if (line.charCodeAt(i) !== SPACE) return false;
  let componentEnd = 43;
  while (componentEnd < 50 && componentEnd < length && line.charCodeAt(componentEnd) !== SPACE) componentEnd++;
  for (let i = componentEnd; i < 50 && i < length; i++) if (line.charCodeAt(i) !== SPACE) return false;
  out.timeStart = 0;
  out.level = levelOf(line, 21, levelEnd);
  out.messageId = messageId;
  out.component = componentEnd === 43 ? '' : componentOf(line, 43, componentEnd);
  out.messageStart = length < 50 ? length : 50;
  return true;
}

/**
 * Pastes and documentation collapse the padding, redact the date (`20xx-xx-18`, `<DateTime>`),
 * drop the time stamp (`, Error …`) or the whole `time, ` part (`Error CBS …`). The last form is
 * only accepted with a known component, so prose such as "Error in operation" is not a head.
 */
const TOLERANT_HEAD =
  /^[ \t]*((\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})|\\?<[A-Za-z]+>(?: \\?<[A-Za-z]+>)?|\d{2}xx-[0-9x]{2}-[0-9x]{2} [0-9x]{2}:[0-9x]{2}:[0-9x]{2})?(,)?[ \t]*(Info|Warning|Error)(?![A-Za-z])(?:[ \t]+\[(0x[0-9A-Fa-f]{6})\])?(?:[ \t]+([A-Z]{2,7})(?=[ \t]|$))?[ \t]*/;

export function readTolerantHead(line: string, out: LineHead): boolean {
  const first = line.charCodeAt(0);
  // Cheap rejection: heads start with a digit, ',', '<', '\', a level letter or blank.
  if (!(isDigit(first) || first === 44 || first === 60 || first === 92 || first === SPACE || first === TAB || isUpper(first))) {
    return false;
  }
  const match = TOLERANT_HEAD.exec(line);
  if (!match) return false;
  const [whole, timePart, time, comma, level = '', messageId, component] = match;
  if (!comma) {
    // `Error CBS    Startup: …` (prefix stripped by an editor): only with a known component and no time part.
    if (timePart || !component || !(KNOWN_COMPONENTS as readonly string[]).includes(component)) return false;
  }
  out.timeStart = time ? line.indexOf(time) : -1;
  out.level = level;
  out.messageId = messageId ?? null;
  out.component = component ?? '';
  out.messageStart = whole.length;
  return true;
}
