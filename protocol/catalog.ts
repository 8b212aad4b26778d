// The Windows update catalog: OS build ↔ KB ↔ release date, and the lookups built on it.
import { CATALOG_TSV } from './data/catalog-tsv';

export type CatalogKind = 'LCU' | 'LCU-preview' | 'OOB' | 'Hotpatch' | 'Hotpatch-OOB' | 'SSU' | 'SSU-in-LCU' | 'SSU-carrier';

export interface CatalogEntry {
  os: string;
  /** `major.revision`, e.g. 19045.4894; on SSU rows the servicing-stack version as CBS shows it. */
  build: string;
  major: number;
  revision: number;
  kb: string;
  releaseDate: string | null;
  kind: CatalogKind;
}

/**
 * Builds that share one component set, so one revision means one update across them:
 * Windows 10 2004–22H2 (CBS prints 19041.N), Windows 11 22H2/23H2, Windows 11 24H2/25H2.
 */
const SERVICING_FAMILIES: readonly (readonly number[])[] = [
  [19041, 19042, 19043, 19044, 19045],
  [22621, 22631],
  [26100, 26200],
];

/** The first build of the family `major` belongs to (19045 → 19041); `major` itself when alone. */
export function servicingFamily(major: number): number {
  for (const family of SERVICING_FAMILIES) if (family.includes(major)) return family[0] ?? major;
  return major;
}

const SSU_KINDS = new Set<CatalogKind>(['SSU', 'SSU-in-LCU', 'SSU-carrier']);
const CUMULATIVE_KINDS = new Set<CatalogKind>(['LCU', 'LCU-preview', 'OOB', 'Hotpatch', 'Hotpatch-OOB']);

export class UpdateCatalog {
  readonly entries: readonly CatalogEntry[];
  private readonly cumulativeByFamilyRevision = new Map<string, CatalogEntry>();
  private readonly ssuByFamilyRevision = new Map<string, CatalogEntry>();
  private readonly byKb = new Map<string, CatalogEntry[]>();

  constructor(entries: readonly CatalogEntry[]) {
    this.entries = entries;
    for (const entry of entries) {
      const key = `${servicingFamily(entry.major)}.${entry.revision}`;
      if (SSU_KINDS.has(entry.kind)) {
        if (!this.ssuByFamilyRevision.has(key)) this.ssuByFamilyRevision.set(key, entry);
      } else if (!this.cumulativeByFamilyRevision.has(key)) {
        this.cumulativeByFamilyRevision.set(key, entry);
      }
      const list = this.byKb.get(entry.kb) ?? [];
      list.push(entry);
      this.byKb.set(entry.kb, list);
    }
  }

  static parse(tsv: string): UpdateCatalog {
    const entries: CatalogEntry[] = [];
    const lines = tsv.split(/\r?\n/);
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      if (!line) continue;
      const [os = '', build = '', kb = '', releaseDate = '', kind = ''] = line.split('\t');
      const match = /^(\d+)\.(\d+)$/.exec(build.trim());
      if (!match || !/^KB\d+$/.test(kb.trim())) continue;
      entries.push({
        os: os.trim(),
        build: build.trim(),
        major: Number(match[1]),
        revision: Number(match[2]),
        kb: kb.trim(),
        releaseDate: releaseDate.trim() || null,
        kind: kind.trim() as CatalogKind,
      });
    }
    return new UpdateCatalog(entries);
  }

  /** The cumulative update that produced OS build `major.revision` (19045.4894 → KB5043064). */
  cumulativeForBuild(major: number, revision: number): CatalogEntry | null {
    return this.cumulativeByFamilyRevision.get(`${servicingFamily(major)}.${revision}`) ?? null;
  }

  /** `Package_for_RollupFix~…~~19041.4894.1.9` → the LCU of 19041-family revision 4894. */
  kbForRollupVersion(version: string): string | null {
    const match = /^(?:10\.0\.)?(\d{5})\.(\d+)/.exec(version);
    if (!match) return null;
    return this.cumulativeForBuild(Number(match[1]), Number(match[2]))?.kb ?? null;
  }

  /** `Package_for_ServicingStack_4585~…~~19041.4585.1.4` → the SSU KB (or the LCU carrying it). */
  kbForServicingStack(revision: number, major?: number): string | null {
    if (major !== undefined) {
      return this.ssuByFamilyRevision.get(`${servicingFamily(major)}.${revision}`)?.kb ?? null;
    }
    for (const [key, entry] of this.ssuByFamilyRevision) if (key.endsWith(`.${revision}`)) return entry.kb;
    return null;
  }

  /**
   * The update that shipped a component version: `10.0.19041.3636` → KB5031445 (19045.3636).
   * Only versions whose revision equals a cumulative update's revision can be named this way.
   */
  updateForComponentVersion(version: string): CatalogEntry | null {
    const match = /^\d+\.\d+\.(\d+)\.(\d+)$/.exec(version);
    if (!match) return null;
    return this.cumulativeForBuild(Number(match[1]), Number(match[2]));
  }

  entriesForKb(kb: string): readonly CatalogEntry[] {
    return this.byKb.get(kb) ?? [];
  }

  /**
   * True when `installedKb` is a cumulative update of the same servicing family released no
   * earlier than `requiredKb`, so it contains it (cumulative updates supersede older ones).
   */
  satisfies(installedKb: string, requiredKb: string): boolean {
    if (installedKb === requiredKb) return true;
    const installed = this.entriesForKb(installedKb).filter((e) => CUMULATIVE_KINDS.has(e.kind));
    const required = this.entriesForKb(requiredKb).filter((e) => CUMULATIVE_KINDS.has(e.kind));
    for (const want of required) {
      for (const have of installed) {
        if (servicingFamily(have.major) !== servicingFamily(want.major)) continue;
        if (have.revision >= want.revision) return true;
      }
    }
    return false;
  }

  /** The newest cumulative update known for a servicing family (by revision). */
  latestCumulative(major: number): CatalogEntry | null {
    const family = servicingFamily(major);
    let best: CatalogEntry | null = null;
    for (const entry of this.entries) {
      if (!CUMULATIVE_KINDS.has(entry.kind) || servicingFamily(entry.major) !== family) continue;
      if (!best || entry.revision > best.revision) best = entry;
    }
    return best;
  }
}

let shared: UpdateCatalog | null = null;

/** The catalog shipped with this build (protocol/data/windows-update-catalog.tsv). */
export function updateCatalog(): UpdateCatalog {
  shared ??= UpdateCatalog.parse(CATALOG_TSV);
  return shared;
}
