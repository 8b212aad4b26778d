// The current state of one device as fleet knowledge sees it, and the facts derived from it once.
import type { UpdateCatalog } from '../../protocol/catalog';
import { servicingFamily } from '../../protocol/catalog';
import { isFailureHresult } from '../../protocol/hresult';
import type { CorruptionRecord, FailureRecord, PackageState, Report } from '../../protocol/report';
import type { StoredDeviceState } from '../storage/device-state';

/** The sections of the device's newest accepted report, plus when the server last heard from it. */
export type DeviceState = Pick<Report, 'packages' | 'failures' | 'corruption' | 'scans' | 'hotfixes'> & {
  id: string;
  hostname: string;
  osBuild: string | null;
  /** When the newest report was received (ISO 8601). */
  lastSeenAt: string;
};

/** The state a report leaves a device in, received at `receivedAt`. */
export function stateFromReport(report: Report, receivedAt: string): DeviceState {
  return {
    id: report.device.id,
    hostname: report.device.hostname,
    osBuild: report.device.osBuild ?? null,
    lastSeenAt: receivedAt,
    packages: report.packages,
    failures: report.failures,
    corruption: report.corruption,
    scans: report.scans,
    hotfixes: report.hotfixes,
  };
}

/** The state of a device as the platform stores it (row + sections). */
export function stateFromSections(stored: StoredDeviceState): DeviceState {
  return {
    id: stored.device.id,
    hostname: stored.device.hostname,
    osBuild: stored.device.osBuild,
    lastSeenAt: new Date(stored.device.lastSeenAt).toISOString(),
    packages: stored.packages,
    failures: stored.failures,
    corruption: stored.corruption,
    scans: stored.scans,
    hotfixes: stored.hotfixes,
  };
}

/** Package states whose content is on the device: a superseded package was replaced by a newer one that carries it. */
const INSTALLED_STATES = new Set<PackageState>(['Installed', 'Permanent', 'Superseded']);
/** Installed but waiting for a restart to finish. */
const PENDING_STATES = new Set<PackageState>(['Install Pending']);

/** CBS numeric state order (Absent 0 … Permanent 0x80), used to pick one state per KB. */
const STATE_RANK: Record<PackageState, number> = {
  Absent: 0,
  'Uninstall Pending': 5,
  Resolving: 16,
  Resolved: 32,
  Staging: 48,
  Staged: 64,
  Superseded: 80,
  'Install Pending': 96,
  'Partially Installed': 101,
  Installed: 112,
  Permanent: 128,
  Failed: -1,
};

export interface OsBuild {
  major: number;
  revision: number;
}

export function parseOsBuild(osBuild: string | null | undefined): OsBuild | null {
  const match = /^(\d+)\.(\d+)$/.exec(osBuild ?? '');
  return match ? { major: Number(match[1]), revision: Number(match[2]) } : null;
}

/** Time of an ISO 8601 stamp in ms; stamps without an offset are read as UTC. */
export function timeOf(stamp: string): number {
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/.test(stamp);
  return Date.parse(hasZone ? stamp : `${stamp}Z`);
}

/**
 * Facts about one device that every fleet view needs, derived once per state so compliance,
 * error counts, clusters and remediation agree on what "installed", "failed" and "open" mean.
 */
export class DeviceFacts {
  readonly build: OsBuild | null;
  /** One state per KB: Failed when any package of the KB failed last, else the most advanced CBS state. */
  readonly kbStates: ReadonlyMap<string, PackageState>;
  /** Failures whose KB is not installed now (a later successful install closes a failure). */
  readonly openFailures: readonly FailureRecord[];
  /** Corruption not repaired and not cleared by a later clean scan. */
  readonly openCorruption: readonly CorruptionRecord[];

  constructor(
    readonly state: DeviceState,
    readonly catalog: UpdateCatalog,
  ) {
    this.build = parseOsBuild(state.osBuild);
    this.kbStates = kbStatesOf(state);
    this.openFailures = state.failures.filter((failure) => !failure.kb || !this.hasInstalled(failure.kb));
    const lastCleanScan = Math.max(
      -Infinity,
      ...state.scans
        .filter((scan) => scan.detected.total === 0 && (scan.result === null || !isFailureHresult(scan.result)) && !scan.interrupted)
        .map((scan) => timeOf(scan.at)),
    );
    this.openCorruption = state.corruption.filter((item) => !item.repaired && timeOf(item.at) > lastCleanScan);
  }

  get id(): string {
    return this.state.id;
  }

  /**
   * True when `kb` (or a later cumulative update of the same servicing family that contains it) is
   * on the device: by OS build revision, an installed package, or a hotfix entry.
   */
  hasInstalled(kb: string): boolean {
    let known = this.installedCache.get(kb);
    if (known === undefined) this.installedCache.set(kb, (known = this.findInstalled(kb)));
    return known;
  }

  private readonly installedCache = new Map<string, boolean>();

  private findInstalled(kb: string): boolean {
    if (this.build && this.buildContains(kb)) return true;
    for (const [installedKb, state] of this.kbStates) {
      if (INSTALLED_STATES.has(state) && this.catalog.satisfies(installedKb, kb)) return true;
    }
    return this.state.hotfixes.some((hotfix) => this.catalog.satisfies(hotfix.kb, kb));
  }

  /** True when `kb`, or a later cumulative update containing it, is installed and waits for a restart. */
  isPending(kb: string): boolean {
    for (const [pendingKb, state] of this.kbStates) {
      if (PENDING_STATES.has(state) && this.catalog.satisfies(pendingKb, kb)) return true;
    }
    return false;
  }

  /** KBs whose own packages are installed and wait for a restart. */
  waitingForRestart(): string[] {
    return [...this.kbStates].filter(([, state]) => PENDING_STATES.has(state)).map(([kb]) => kb).sort();
  }

  /** The same device with some of its state replaced (what-if views and tests). */
  with(changes: Partial<DeviceState>): DeviceFacts {
    return new DeviceFacts({ ...this.state, ...changes }, this.catalog);
  }

  /** True when the last attempt to install `kb` failed and it is still not installed. */
  hasFailed(kb: string): boolean {
    if (this.hasInstalled(kb)) return false;
    return this.kbStates.get(kb) === 'Failed' || this.openFailures.some((failure) => failure.kb === kb);
  }

  /**
   * The one state shown for `kb` on this device: `Failed` while the failure is open, `Superseded`
   * when it failed but a later cumulative update now contains it, else the packages' own state.
   */
  kbStatus(kb: string): PackageState | null {
    const state = this.kbStates.get(kb);
    if (state === undefined) return null;
    if (this.hasFailed(kb)) return 'Failed';
    return state === 'Failed' ? 'Superseded' : state;
  }

  /** HRESULTs of failures still open, of failed packages, and of repair scans that failed. */
  errorCodes(): Set<string> {
    const codes = new Set<string>();
    for (const failure of this.openFailures) codes.add(failure.hresult);
    for (const pkg of this.state.packages) {
      if (pkg.state === 'Failed' && pkg.lastResult && isFailureHresult(pkg.lastResult) && !(pkg.kb && this.hasInstalled(pkg.kb))) {
        codes.add(pkg.lastResult);
      }
    }
    for (const scan of this.latestScanPerTool()) if (scan.result && isFailureHresult(scan.result)) codes.add(scan.result);
    return codes;
  }

  /** The newest scan of each tool: an older failed RestoreHealth followed by a clean one is history. */
  latestScanPerTool(): Report['scans'] {
    const newest = new Map<string, Report['scans'][number]>();
    for (const scan of this.state.scans) {
      const seen = newest.get(scan.tool);
      if (!seen || timeOf(scan.at) >= timeOf(seen.at)) newest.set(scan.tool, scan);
    }
    return [...newest.values()];
  }

  private buildContains(kb: string): boolean {
    const build = this.build;
    if (!build) return false;
    const family = servicingFamily(build.major);
    return this.catalog
      .entriesForKb(kb)
      .some((entry) => entry.kind !== 'SSU' && entry.kind !== 'SSU-in-LCU' && entry.kind !== 'SSU-carrier'
        && servicingFamily(entry.major) === family && entry.revision <= build.revision);
  }
}

function kbStatesOf(state: DeviceState): Map<string, PackageState> {
  const states = new Map<string, PackageState>();
  for (const pkg of state.packages) {
    if (!pkg.kb) continue;
    const seen = states.get(pkg.kb);
    if (seen === 'Failed') continue;
    if (pkg.state === 'Failed' || seen === undefined || STATE_RANK[pkg.state] > STATE_RANK[seen]) states.set(pkg.kb, pkg.state);
  }
  for (const hotfix of state.hotfixes) if (!states.has(hotfix.kb)) states.set(hotfix.kb, 'Installed');
  for (const failure of state.failures) if (failure.kb && !states.has(failure.kb)) states.set(failure.kb, 'Failed');
  return states;
}
