// Servicing logs of simulated devices, made of verbatim fixture lines (re-dated and re-targeted), parsed once per state by the real parser.
import { readFileSync } from 'node:fs';
import { updateCatalog, type CatalogEntry } from '../../protocol/catalog';
import { ServicingLogParser, type ParsedLogFacts } from '../../parser';

const ROOT = new URL('../../', import.meta.url);
const readFixture = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

/**
 * The cumulative updates the simulated Windows 10 22H2 estate moves through (Aug–Dec 2024, the
 * months of the support cases), straight from the update catalog.
 */
export const FLEET_BUILDS: readonly CatalogEntry[] = updateCatalog()
  .entries.filter((e) => e.major === 19045 && e.kind === 'LCU' && e.releaseDate !== null && e.releaseDate >= '2024-08-01' && e.releaseDate <= '2024-12-31')
  .sort((a, b) => a.revision - b.revision);
if (FLEET_BUILDS.length < 3) throw new Error('the update catalog lacks the 2024 Windows 10 19045 cumulative updates the simulator needs');

export const rollupIdentity = (build: CatalogEntry) => `Package_for_RollupFix~31bf3856ad364e35~amd64~~19041.${build.revision}.1.9`;

/** Installed and superseded cumulative updates in the LOGHUB applicability-cache shape (§2.3), local time on the release day. */
function baselineLines(installed: number): string[] {
  const lines: string[] = [];
  for (let index = 0; index <= installed; index++) {
    const build = FLEET_BUILDS[index]!;
    const state = index === installed ? 112 : 80; // Installed, Superseded
    lines.push(
      `${build.releaseDate} 09:15:44, Info                  CBS    Read out cached package applicability for package: ${rollupIdentity(build)}, ApplicableState: 112, CurrentState:${state}`,
    );
  }
  return lines;
}

/** A real failing-install capture, and how it is pointed at the fleet's next cumulative update. */
export interface FailureSource {
  name: string;
  file: string;
  /** Replace the failing package identity with the device's next rollup (false: the capture's own package failed). */
  retarget: boolean;
}

/** The failure captures behind the fleet's HRESULT mix (test/fixtures/logs, parser family fixtures). */
export const FAILURE_SOURCES = {
  storeCorrupt: { name: '0x80073712 component store corrupt', file: 'test/fixtures/logs/server2022-ssu-0x80073712.log', retarget: true },
  fileNotFound: { name: '0x80070002 file missing at staging', file: 'test/fixtures/logs/win7-ie11-staging-0x80070002.log', retarget: true },
  installersFailed: { name: '0x800f0922 installers failed', file: 'test/fixtures/logs/server2016-docker-wrapped.log', retarget: true },
  hangDetected: { name: '0x800f0920 hang detected', file: 'test/fixtures/logs/server2016-hang-0x800f0920.log', retarget: false },
  featureOnDemand: { name: '0x800f0950 feature on demand', file: 'test/fixtures/logs/win10-1809-fod-0x800f0950.log', retarget: false },
  sourceMissing: { name: '0x800f081f DISM source missing (19041 components)', file: 'test/fixtures/families/sur-19041-msdocs.log', retarget: false },
} as const satisfies Record<string, FailureSource>;

/** The two support cases, verbatim: KB5043064 and KB5036892 failing with 0x8007000d on dual_wpdmtp.inf. */
export const CASE_LOGS = {
  case1: { file: 'test/fixtures/cases/case1-KB5043064/CBS.log', failingKb: 'KB5043064' },
  case2: { file: 'test/fixtures/cases/case2-KB5036892/CBS.log', failingKb: 'KB5036892' },
} as const;

const DAY_MS = 86_400_000;
const LINE_DATE = /^(\d{4})-(\d{2})-(\d{2})(?= \d{2}:\d{2}:\d{2})/gm;
const CSI_DATE = /@(\d{4})\/(\d{1,2})\/(\d{1,2}):/g;

/** Moves every line date and CSI `@` UTC stamp by whole days, so local/UTC offsets stay as captured. */
export function redate(text: string, targetDay: string): string {
  const first = /^(\d{4}-\d{2}-\d{2}) \d{2}:/m.exec(text)?.[1];
  if (!first) return text;
  const shift = Date.parse(`${targetDay}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`);
  const move = (y: string, m: string, d: string) => new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)) + shift);
  return text
    .replace(LINE_DATE, (_all, y: string, m: string, d: string) => move(y, m, d).toISOString().slice(0, 10))
    .replace(CSI_DATE, (_all, y: string, m: string, d: string) => {
      const day = move(y, m, d);
      return `@${day.getUTCFullYear()}/${day.getUTCMonth() + 1}/${day.getUTCDate()}:`;
    });
}

/** The package the capture names as failed (its WER line, else the failed Exec line): the identity to re-target. */
function failedIdentity(text: string): string | null {
  return (
    /WER: Generating failure report for package: ([^,\s]+),/.exec(text)?.[1] ??
    /Exec: Processing complete\..*Package: ([^,\s]+) \[HRESULT =\s*0x(?!0{8})/.exec(text)?.[1] ??
    null
  );
}

function failureLines(source: FailureSource, target: CatalogEntry): string {
  let text = redate(readFixture(source.file), dayAfter(target.releaseDate!));
  const identity = source.retarget ? failedIdentity(text) : null;
  if (identity) text = text.split(identity).join(rollupIdentity(target));
  return text;
}

const dayAfter = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);

/** What a simulated device's CBS folder holds, as far as the report is concerned. */
export type LogState =
  | { kind: 'healthy'; build: number }
  | { kind: 'failing'; build: number; source: keyof typeof FAILURE_SOURCES }
  | { kind: 'case'; which: keyof typeof CASE_LOGS };

export function logStateKey(state: LogState): string {
  return state.kind === 'case' ? `case:${state.which}` : state.kind === 'failing' ? `failing:${state.build}:${state.source}` : `healthy:${state.build}`;
}

/** CBS.log text for a state: the installed baseline, then the captured failure (if any). */
export function logText(state: LogState): string {
  if (state.kind === 'case') return readFixture(CASE_LOGS[state.which].file);
  const lines = baselineLines(state.build).join('\r\n') + '\r\n';
  if (state.kind === 'healthy') return lines;
  const next = FLEET_BUILDS[Math.min(state.build + 1, FLEET_BUILDS.length - 1)]!;
  return lines + failureLines(FAILURE_SOURCES[state.source], next);
}

/**
 * Facts per log state, parsed once by the agent's ServicingLogParser and shared by every device in
 * that state: 100,000 devices cost a few dozen parses, and each fact is what the parser says.
 */
export class FleetLogFacts {
  private readonly cache = new Map<string, ParsedLogFacts>();

  facts(state: LogState): ParsedLogFacts {
    const key = logStateKey(state);
    let facts = this.cache.get(key);
    if (!facts) {
      const parser = new ServicingLogParser({ catalog: updateCatalog(), utcOffsetMinutes: null });
      parser.beginFile('CBS.log', 'cbs');
      parser.write(Buffer.from(logText(state), 'utf8'));
      parser.endFile();
      facts = parser.result(true);
      this.cache.set(key, facts);
    }
    return facts;
  }

  get parsedStates(): number {
    return this.cache.size;
  }
}
