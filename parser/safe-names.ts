// Keeps names that break the Windows naming rules out of corruption facts: the value is left out and counted, never stored.
import type { CorruptionRecord } from '../protocol/report';
import { corruptionSchema } from '../protocol/report';
import { baseName, STORE_FAMILY } from './families/facts';

/** The corruption fields that name something a repair command may use. */
export const NAME_FIELDS = ['component', 'family', 'arch', 'version', 'file'] as const;
export type NameField = (typeof NAME_FIELDS)[number];

/** How many values of each name field were left out. */
export type LeftOutNames = Partial<Record<NameField, number>>;

const fits = (field: NameField, value: string) => corruptionSchema.shape[field].safeParse(value).success;

/**
 * The record with every name that breaks Report v1's rules left out (`windows-names.ts`): a log line
 * can say anything, and these values become paths and arguments of repair commands. A bad component,
 * arch, version or file becomes null. A bad family falls back as when the log names no component
 * (the file name, else the store itself), and the component details that came with it go too.
 */
export function withSafeNames(record: CorruptionRecord, leftOut: (field: NameField) => void): CorruptionRecord {
  let safe = record;
  const drop = (field: Exclude<NameField, 'family'>) => {
    const value = safe[field];
    if (value === null || value === undefined || fits(field, value)) return;
    leftOut(field);
    safe = { ...safe, [field]: null };
  };
  drop('component');
  drop('arch');
  drop('version');
  drop('file');
  if (!fits('family', safe.family)) {
    leftOut('family');
    const fromFile = baseName(safe.file);
    const family = fromFile && fits('family', fromFile) ? fromFile : STORE_FAMILY;
    safe = { ...safe, family, component: null, arch: null, version: null };
  }
  return safe;
}

const FIELD_WORDS: Record<NameField, [one: string, many: string]> = {
  component: ['corruption component name was', 'corruption component names were'],
  family: ['corruption family name was', 'corruption family names were'],
  arch: ['corruption architecture was', 'corruption architectures were'],
  version: ['corruption version was', 'corruption versions were'],
  file: ['corruption file name was', 'corruption file names were'],
};

/** One parse warning per field with left-out values, e.g. `2 corruption file names were left out: …`. */
export function leftOutWarnings(counts: LeftOutNames): string[] {
  const warnings: string[] = [];
  for (const field of NAME_FIELDS) {
    const count = counts[field] ?? 0;
    if (count === 0) continue;
    const [one, many] = FIELD_WORDS[field];
    warnings.push(`${count} ${count === 1 ? one : many} left out: not a valid Windows name (control or shell characters, or a path outside the component folder), so no repair command may use it.`);
  }
  return warnings;
}
