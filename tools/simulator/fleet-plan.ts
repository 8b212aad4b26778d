// Who each simulated device is and how its servicing state evolves: mostly healthy, a realistic failure mix, corruption clusters, stale devices, repairs.
import type { HotfixRecord } from '../../protocol/report';
import { updateCatalog } from '../../protocol/catalog';
import type { FAILURE_SOURCES} from './fleet-logs';
import { CASE_LOGS, FLEET_BUILDS, type LogState } from './fleet-logs';
import { seededRandom, weightedPick } from './random';

export interface FleetShape {
  /** Device ids and host names start with it (`demo` marks demo data everywhere it shows). */
  prefix: string;
  seed: number;
}

export interface DevicePlan {
  index: number;
  deviceId: string;
  hostname: string;
  /** Index into FLEET_BUILDS of the cumulative update installed at the start. */
  build: number;
  initial: LogState;
  /** The state after repair (the next cumulative update installed), or null when never repaired. */
  repaired: LogState | null;
  /** Reports after which the repair shows up. */
  repairAfter: number;
  /** Stops reporting after this many reports (stale device), or null. */
  lastReport: number | null;
}

/** Share of the fleet in each condition (the rest is healthy). */
export const FLEET_MIX = {
  failing: 0.06,
  /** Support case 1 and 2 devices: the dual_wpdmtp.inf cluster. */
  wpdmtpCluster: 0.01,
  stale: 0.02,
  /** Failing devices that get repaired during the run. */
  repairedShare: 0.5,
} as const;

const FAILURE_MIX: { weight: number; value: keyof typeof FAILURE_SOURCES }[] = [
  { weight: 30, value: 'storeCorrupt' },
  { weight: 25, value: 'sourceMissing' },
  { weight: 20, value: 'installersFailed' },
  { weight: 15, value: 'fileNotFound' },
  { weight: 6, value: 'hangDetected' },
  { weight: 4, value: 'featureOnDemand' },
];

/** Most devices on the newest cumulative update, a tail behind. */
const BUILD_MIX = FLEET_BUILDS.map((_, index) => ({ weight: index === FLEET_BUILDS.length - 1 ? 10 : index === FLEET_BUILDS.length - 2 ? 8 : 1, value: index }));

export const deviceIdFor = (prefix: string, index: number) => `${prefix}-ws-${String(index).padStart(6, '0')}`;

/** Deterministic: the same shape and index always give the same device. */
export function planDevice(shape: FleetShape, index: number): DevicePlan {
  const random = seededRandom(shape.seed * 1_000_003 + index);
  const deviceId = deviceIdFor(shape.prefix, index);
  const build = weightedPick(BUILD_MIX, random);
  const roll = random();
  let initial: LogState = { kind: 'healthy', build };
  if (roll < FLEET_MIX.wpdmtpCluster) initial = { kind: 'case', which: random() < 0.6 ? 'case1' : 'case2' };
  else if (roll < FLEET_MIX.wpdmtpCluster + FLEET_MIX.failing) initial = { kind: 'failing', build: Math.min(build, FLEET_BUILDS.length - 2), source: weightedPick(FAILURE_MIX, random) };
  const failing = initial.kind !== 'healthy';
  const repaired: LogState | null =
    failing && random() < FLEET_MIX.repairedShare ? { kind: 'healthy', build: initial.kind === 'failing' ? initial.build + 1 : FLEET_BUILDS.length - 1 } : null;
  return {
    index,
    deviceId,
    hostname: deviceId.toUpperCase(),
    build: initial.kind === 'failing' ? initial.build : build,
    initial,
    repaired,
    repairAfter: 2 + Math.floor(random() * 12),
    lastReport: random() < FLEET_MIX.stale ? 1 : null,
  };
}

/** The log state a device reports in its `reportNumber`-th report (1-based). */
export function stateAt(plan: DevicePlan, reportNumber: number): LogState {
  return plan.repaired !== null && reportNumber > plan.repairAfter ? plan.repaired : plan.initial;
}

/** The OS build the registry shows: the installed cumulative update (the one before the failing one for the cases). */
export function osBuildOf(state: LogState): string {
  if (state.kind === 'case') {
    const failing = updateCatalog().entriesForKb(CASE_LOGS[state.which].failingKb)[0];
    const before = failing ? previousCumulative(failing.revision) : null;
    return `19045.${before ?? 0}`;
  }
  return `19045.${FLEET_BUILDS[state.build]!.revision}`;
}

function previousCumulative(revision: number): number | null {
  const earlier = updateCatalog()
    .entries.filter((e) => e.major === 19045 && e.kind === 'LCU' && e.revision < revision)
    .sort((a, b) => b.revision - a.revision);
  return earlier[0]?.revision ?? null;
}

/** Installed updates as Get-HotFix lists them: every cumulative update up to the installed build. */
export function hotfixesOf(state: LogState): HotfixRecord[] {
  const revision = Number(osBuildOf(state).split('.')[1]);
  return updateCatalog()
    .entries.filter((e) => e.major === 19045 && e.kind === 'LCU' && e.revision <= revision && e.releaseDate !== null)
    .sort((a, b) => b.revision - a.revision)
    .slice(0, 6)
    .map((e) => ({ kb: e.kb, installedOn: e.releaseDate! }));
}
