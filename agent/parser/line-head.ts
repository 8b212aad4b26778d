// Reads the head of one physical CBS.log line: time stamp, severity, message id, component, message start.

/** Mutable result of a head read; one instance is reused for every line to keep the hot loop allocation-free. */
export interface LineHead {
  /** Index of `YYYY-MM-DD HH:MM:SS` in the line, or -1 when the head has no (real) time stamp. */
  timeStart: number;
  level: string;
  messageId: string | null;
  component: string;
  /** Index where the message begins (may equal the line end: empty message). Indices are absolute in the text read. */
  messageStart: number;
}

export function emptyLineHead(): LineHead {
  return { timeStart: -1, level: '', messageId: null, component: '', messageStart: 0 };
}

const SPACE = 32;
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
  const first = line.charCodeAt(start);
  const second = line.charCodeAt(start + 1);
  if (length === 4 && first === 73 && second === 110) return 'Info';
  if (length === 5 && first === 69 && second === 114) return 'Error';
  if (length === 7 && first === 87 && second === 97) return 'Warning';
  return line.slice(start, end);
}

const KNOWN_COMPONENTS = ['CBS', 'CSI', 'DISM', 'DPX', 'DEPLOY', 'MOUPG', 'SP', 'PANTHR'] as const;

function componentOf(line: string, start: number, end: number): string {
  if (end - start === 3 && line.charCodeAt(start) === 67 /* C */) {
    const second = line.charCodeAt(start + 1);
    const third = line.charCodeAt(start + 2);
    if (second === 66 && third === 83) return 'CBS';
    if (second === 83 && third === 73) return 'CSI';
  }
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
export function readFixedHead(line: string, out: LineHead, start = 0, end = line.length): boolean {
  const length = end - start;
  if (length < 43) return false;
  if (
    line.charCodeAt(start + 4) !== 45 || line.charCodeAt(start + 7) !== 45 || line.charCodeAt(start + 10) !== SPACE ||
    line.charCodeAt(start + 13) !== 58 || line.charCodeAt(start + 16) !== 58 || line.charCodeAt(start + 19) !== 44 ||
    line.charCodeAt(start + 20) !== SPACE || line.charCodeAt(start + 42) !== SPACE
  ) {
    return false;
  }
  // The separators above pin the layout; two digits more rule out look-alike text. Full date
  // validity is checked where a time is used (clock.ts).
  if (!isDigit(line.charCodeAt(start)) || !isDigit(line.charCodeAt(start + 18))) return false;
  let levelEnd = start + 21;
  while (levelEnd < start + 32) {
    const code = line.charCodeAt(levelEnd);
    if (!((code >= 65 && code <= 90) || (code >= 97 && code <= 122))) break;
    levelEnd++;
  }
  if (levelEnd === start + 21) return false;
  let messageId: string | null = null;
  let padEnd = start + 42;
  if (line.charCodeAt(start + 32) === 91 /* [ */ && line.charCodeAt(start + 41) === 93 /* ] */ && line.charCodeAt(start + 33) === 48) {
    messageId = line.slice(start + 33, start + 41);
    padEnd = start + 32;
  }
  // Padding: collapsed pastes have message text here; the fixed layout has spaces throughout.
  if (levelEnd < padEnd && line.charCodeAt(levelEnd) !== SPACE) return false;
  if (padEnd - levelEnd > 1 && line.charCodeAt(levelEnd + 1) !== SPACE) return false;
  if (line.charCodeAt(padEnd - 1) !== SPACE || line.charCodeAt((levelEnd + padEnd) >> 1) !== SPACE) return false;
  const componentStart = start + 43;
  const messageStart = start + 50;
  let componentEnd = componentStart;
  while (componentEnd < messageStart && componentEnd < end && line.charCodeAt(componentEnd) !== SPACE) componentEnd++;
  for (let i = componentEnd; i < messageStart && i < end; i++) if (line.charCodeAt(i) !== SPACE) return false;
  out.timeStart = start;
  out.level = levelOf(line, start + 21, levelEnd);
  out.messageId = messageId;
  out.component = componentEnd === componentStart ? '' : componentOf(line, componentStart, componentEnd);
  out.messageStart = end < messageStart ? end : messageStart;
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
