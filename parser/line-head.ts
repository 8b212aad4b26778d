// Reads the head of one physical CBS.log line: time stamp, severity, message id, component, message start.
import { charCodesOfText, textOf, type CharCodes } from './utf8-chunks';

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

/** Interned spellings so the hot loop does not make a new string for every line. */
function levelOf(line: CharCodes, start: number, end: number): string {
  const length = end - start;
  const first = line[start];
  const second = line[start + 1];
  if (length === 4 && first === 73 && second === 110) return 'Info';
  if (length === 5 && first === 69 && second === 114) return 'Error';
  if (length === 7 && first === 87 && second === 97) return 'Warning';
  return textOf(line, start, end);
}

const KNOWN_COMPONENTS = ['CBS', 'CSI', 'DISM', 'DPX', 'DEPLOY', 'MOUPG', 'SP', 'PANTHR'] as const;

/** Whether `line[start, start + text.length)` spells `text`. */
export function spells(line: CharCodes, start: number, text: string): boolean {
  if (start + text.length > line.length) return false;
  for (let i = 0; i < text.length; i++) if (line[start + i] !== text.charCodeAt(i)) return false;
  return true;
}

function componentOf(line: CharCodes, start: number, end: number): string {
  if (end - start === 3 && line[start] === 67 /* C */) {
    const second = line[start + 1];
    const third = line[start + 2];
    if (second === 66 && third === 83) return 'CBS';
    if (second === 83 && third === 73) return 'CSI';
  }
  const length = end - start;
  for (const known of KNOWN_COMPONENTS) {
    if (known.length === length && spells(line, start, known)) return known;
  }
  return textOf(line, start, end);
}

/**
 * The byte-faithful layout measured on real logs: time in cols 0–18, `, `, a 22-column severity
 * field from col 21 (either the padded level, or an 11-column level plus `[0x01806a] `), the
 * component in cols 43–49 (possibly blank) and the message from col 50. Reads character codes,
 * so the framer decides most lines without making a string of them.
 */
export function readFixedHead(text: string | CharCodes, out: LineHead, start = 0, end = text.length): boolean {
  const line = typeof text === 'string' ? charCodesOfText(text) : text;
  const length = end - start;
  if (length < 43) return false;
  if (
    line[start + 4] !== 45 || line[start + 7] !== 45 || line[start + 10] !== SPACE ||
    line[start + 13] !== 58 || line[start + 16] !== 58 || line[start + 19] !== 44 ||
    line[start + 20] !== SPACE || line[start + 42] !== SPACE
  ) {
    return false;
  }
  // The separators above pin the layout; two digits more rule out look-alike text. Full date
  // validity is checked where a time is used (clock.ts).
  if (!isDigit(line[start] as number) || !isDigit(line[start + 18] as number)) return false;
  let levelEnd = start + 21;
  while (levelEnd < start + 32) {
    const code = line[levelEnd] as number;
    if (!((code >= 65 && code <= 90) || (code >= 97 && code <= 122))) break;
    levelEnd++;
  }
  if (levelEnd === start + 21) return false;
  let messageId: string | null = null;
  let padEnd = start + 42;
  if (line[start + 32] === 91 /* [ */ && line[start + 41] === 93 /* ] */ && line[start + 33] === 48) {
    messageId = textOf(line, start + 33, start + 41);
    padEnd = start + 32;
  }
  // Padding: collapsed pastes have message text here; the fixed layout has spaces throughout.
  if (levelEnd < padEnd && line[levelEnd] !== SPACE) return false;
  if (padEnd - levelEnd > 1 && line[levelEnd + 1] !== SPACE) return false;
  if (line[padEnd - 1] !== SPACE || line[(levelEnd + padEnd) >> 1] !== SPACE) return false;
  const componentStart = start + 43;
  const messageStart = start + 50;
  let componentEnd = componentStart;
  while (componentEnd < messageStart && componentEnd < end && line[componentEnd] !== SPACE) componentEnd++;
  for (let i = componentEnd; i < messageStart && i < end; i++) if (line[i] !== SPACE) return false;
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

/** Cheap rejection before the regular expression: heads start with a digit, ',', '<', '\\', a level letter or blank. */
export function mayStartTolerantHead(first: number): boolean {
  return isDigit(first) || first === 44 || first === 60 || first === 92 || first === SPACE || first === TAB || isUpper(first);
}

export function readTolerantHead(line: string, out: LineHead): boolean {
  if (!mayStartTolerantHead(line.charCodeAt(0))) return false;
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
