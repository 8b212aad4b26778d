// Package identities: cleaning them out of messages and mapping them to KB numbers.
import type { UpdateCatalog } from '../protocol/catalog';

/**
 * The identity token at the start of a key value: up to the first blank, without the quotes,
 * trailing `.`/`,` and a Markdown-escaped `~~` that pasted documentation adds. Null when empty.
 */
export function cleanIdentity(value: string | undefined): string | null {
  if (!value) return null;
  if (isPlainIdentity(value)) return value;
  let token = value.trim().replace(/`~~`/g, '~~');
  const blank = token.search(/\s/);
  if (blank !== -1) token = token.slice(0, blank);
  token = token.replace(/^["']+/, '').replace(/["'.,:;\]]+$/, '');
  return token.length > 0 && token.length <= 1_000 ? token : null;
}

/**
 * True when cleaning would return `value` unchanged: printable ASCII without blanks, quotes or
 * backticks, not ending in punctuation (nearly every identity as CBS prints it).
 */
function isPlainIdentity(value: string): boolean {
  if (value.length > 1_000) return false;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 32 || code >= 127 || code === 34 || code === 39 || code === 96) return false;
  }
  const last = value.charCodeAt(value.length - 1);
  return last !== 46 && last !== 44 && last !== 58 && last !== 59 && last !== 93;
}

const DIRECT_KB = /(?:^|_)for_KB(\d{4,9})(?=[_~.]|$)/i;
const ROLLUP = /^Package_for_RollupFix~[^~]*~[^~]*~[^~]*~(\d+(?:\.\d+){1,3})$/i;
const SERVICING_STACK = /^Package_for_ServicingStack_(\d+)~[^~]*~[^~]*~[^~]*~(\d+)\.\d+/i;

/** `major.revision` of a cumulative-update package (`…~~19041.4894.1.9` → 19041, 4894); null otherwise. */
export function rollupBuildOf(identity: string): { major: number; revision: number } | null {
  const match = ROLLUP.exec(identity);
  if (!match?.[1]) return null;
  const parts = match[1].split('.').map(Number);
  // 10.0.19041.4894 (older spelling) or 19041.4894.1.9
  const [major, revision] = parts[0] === 10 && parts.length === 4 ? [parts[2], parts[3]] : [parts[0], parts[1]];
  if (major === undefined || revision === undefined || major < 1000) return null;
  return { major, revision };
}

/**
 * The KB a package identity belongs to: `Package_for_KB5036892~…`, `Package_4_for_KB…`,
 * `Package_for_KB2079403_RTM~…` directly; `Package_for_RollupFix~…~~19041.4894.1.9` and
 * `Package_for_ServicingStack_4585~…~~19041.4585.1.4` through the catalog. Null when unknown.
 */
export function kbOfPackage(identity: string, catalog: UpdateCatalog): string | null {
  const direct = DIRECT_KB.exec(identity);
  if (direct?.[1]) return `KB${direct[1]}`;
  const rollup = rollupBuildOf(identity);
  if (rollup) return catalog.cumulativeForBuild(rollup.major, rollup.revision)?.kb ?? null;
  const stack = SERVICING_STACK.exec(identity);
  if (stack?.[1] && stack[2]) return catalog.kbForServicingStack(Number(stack[1]), Number(stack[2]));
  return null;
}

/** `Update: 4462926-917_neutral_GDR` → KB4462926; `Identifier: KB777778` → KB777778. */
export function kbOfUpdateName(value: string | undefined): string | null {
  if (!value) return null;
  const match = /^(?:KB)?(\d{4,9})(?=[-_\s,.]|$)/i.exec(value.trim());
  return match?.[1] ? `KB${match[1]}` : null;
}
