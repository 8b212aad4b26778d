// Remediation engine: evaluates the data-driven rules against a device or a cluster and renders the steps.
import type { CatalogEntry, UpdateCatalog } from '../../protocol/catalog';
import type { Cluster, Donor, RemediationStep } from '../../protocol/fleet-api';
import { lookupHresult } from '../../protocol/hresult';
import { isHostname, isWindowsName } from '../../protocol/windows-names';
import { fillCommandTemplate } from './command-quoting';
import type { DeviceFacts } from './device-state';
import { timeOf } from './device-state';
import { deviceClusterFacts, sortVersions } from './clusters';
import type { RemediationCondition, RemediationRule } from './rules/remediation-rules';
import { REMEDIATION_RULES } from './rules/remediation-rules';

/** DISM's "no source for the replacement payload" outcome, as code and as log text. */
export const SOURCE_MISSING_HRESULT = '0x800f081f';
const SOURCE_MISSING_TEXT = /Missing replacement payload|CBS_E_SOURCE_MISSING/i;

/** One corrupt component family as remediation sees it. */
export interface FamilyEvidence {
  family: string;
  arch: string | null;
  versions: string[];
  files: string[];
  /** Full component keys the logs gave (exact WinSxS folder names). */
  components: string[];
  /** Versions of the same family seen elsewhere in the fleet (cluster), for the shipping-update fallback. */
  fleetVersions: string[];
}

/** What the rules are evaluated against: one device, or the devices of one cluster. */
export interface RemediationSubject {
  scope: 'device' | 'cluster';
  osBuild: { major: number; revision: number } | null;
  families: FamilyEvidence[];
  failedKbs: { kb: string; hresult: string; blockedBy: string[] }[];
  pendingKbs: string[];
  /** Why DISM could not repair (`0x800f081f (CBS_E_SOURCE_MISSING)`, …), or null when it did not say so. */
  sourceMissingEvidence: string | null;
  /** The same evidence as facts (which signals were seen), for text in other languages. */
  sourceMissing: SourceMissingFacts | null;
}

/** What showed that DISM lacked a replacement payload. */
export interface SourceMissingFacts {
  /** A DISM scan or a failure ended with 0x800f081f. */
  code: boolean;
  /** A corruption finding's evidence says "Repair failed: Missing replacement payload." */
  logLine: boolean;
  /** For a cluster: on how many of its devices; null for one device. */
  devices: number | null;
}

export interface RemediationContext {
  catalog: UpdateCatalog;
  /** Healthy donors per family, best first (see `rankDonors`). */
  donors: ReadonlyMap<string, readonly Donor[]>;
  /** Configured RestoreHealth source (`wim:\\share\install.wim:1`), or null to use Windows Update. */
  repairSource: string | null;
}

// ---- Subjects --------------------------------------------------------------------------------------

/** Builds the remediation subject of one device from its facts and the fleet's versions per family. */
export function deviceSubject(facts: DeviceFacts, fleetVersions: (family: string) => readonly string[] = () => []): RemediationSubject {
  const clusters = deviceClusterFacts(facts);
  const families: FamilyEvidence[] = [...clusters.values()].map((entry) => ({
    family: entry.family,
    arch: facts.openCorruption.find((item) => item.family === entry.family && item.arch)?.arch ?? null,
    versions: sortVersions(entry.versions),
    files: [...entry.files].sort(),
    components: [...entry.components].sort(),
    fleetVersions: sortVersions(fleetVersions(entry.family)),
  }));
  const failedKbs = [...facts.kbStates.keys()]
    .filter((kb) => facts.hasFailed(kb))
    .sort()
    .map((kb) => ({
      kb,
      hresult: latestHresultFor(facts, kb),
      blockedBy: [...clusters.values()].filter((entry) => entry.blockedKbs.has(kb)).map((entry) => entry.family).sort(),
    }));
  const sourceMissing = sourceMissingFacts(facts);
  return {
    scope: 'device',
    osBuild: facts.build,
    families,
    failedKbs,
    pendingKbs: facts.waitingForRestart(),
    sourceMissingEvidence: sourceMissing && describeSourceMissing(sourceMissing),
    sourceMissing,
  };
}

/**
 * The remediation subject of a whole cluster: its versions, files and full component keys, the KBs
 * it blocks, and whether DISM lacked a replacement payload on any of its devices.
 */
export function clusterSubject(cluster: Cluster, components: readonly string[], sourceMissingDevices: number): RemediationSubject {
  const sourceMissing = sourceMissingDevices > 0 ? { code: true, logLine: false, devices: sourceMissingDevices } : null;
  return {
    scope: 'cluster',
    osBuild: null,
    families: [{ family: cluster.family, arch: null, versions: cluster.versions, files: cluster.files, components: [...components].sort(), fleetVersions: cluster.versions }],
    failedKbs: cluster.blockedKbs.map((kb) => ({ kb, hresult: cluster.hresults[0] ?? '0x80004005', blockedBy: [cluster.family] })),
    pendingKbs: [],
    sourceMissingEvidence: sourceMissing && describeSourceMissing(sourceMissing),
    sourceMissing,
  };
}

function latestHresultFor(facts: DeviceFacts, kb: string): string {
  const failures = facts.openFailures.filter((failure) => failure.kb === kb).sort((a, b) => timeOf(b.at) - timeOf(a.at));
  const fromPackage = facts.state.packages.find((pkg) => pkg.kb === kb && pkg.state === 'Failed' && pkg.lastResult)?.lastResult;
  return failures[0]?.hresult ?? fromPackage ?? '0x80004005';
}

/** Which signals showed that DISM lacked a replacement payload on a device, or null when none did. */
export function sourceMissingFacts(facts: DeviceFacts): SourceMissingFacts | null {
  const scan = facts.latestScanPerTool().find((item) => item.tool === 'dism' && item.result === SOURCE_MISSING_HRESULT);
  const failure = facts.openFailures.find((item) => item.hresult === SOURCE_MISSING_HRESULT);
  const code = scan !== undefined || failure !== undefined;
  const logLine = facts.openCorruption.some((item) => item.evidence.some((line) => SOURCE_MISSING_TEXT.test(line)));
  return code || logLine ? { code, logLine, devices: null } : null;
}

/** The evidence that DISM lacked a replacement payload, in words, or null. */
export function sourceMissingEvidence(facts: DeviceFacts): string | null {
  const found = sourceMissingFacts(facts);
  return found && describeSourceMissing(found);
}

const SOURCE_MISSING_LABEL = () => `${SOURCE_MISSING_HRESULT} (${lookupHresult(SOURCE_MISSING_HRESULT)?.name ?? 'source missing'})`;
/** The log line DISM's repair leaves in CBS.log when it has no payload. */
export const SOURCE_MISSING_LOG_LINE = 'Repair failed: Missing replacement payload.';

function describeSourceMissing(found: SourceMissingFacts): string {
  const parts: string[] = [];
  if (found.code) parts.push(SOURCE_MISSING_LABEL());
  if (found.logLine) parts.push(`"${SOURCE_MISSING_LOG_LINE}"`);
  const text = parts.join(' and ');
  return found.devices === null ? text : `${text} on ${found.devices} of its devices`;
}

// ---- Donors ----------------------------------------------------------------------------------------

/**
 * Healthy donors for `family`: same OS build major as the broken device, no open corruption of
 * that family, and the update the broken device needs (the failing KB, or a later cumulative
 * one) installed; the most recently seen first.
 */
export function rankDonors(
  candidates: Iterable<DeviceFacts>,
  family: string,
  need: { osMajor: number; kbs: readonly string[]; excludeId?: string },
  limit = 3,
): Donor[] {
  const donors: DeviceFacts[] = [];
  for (const candidate of candidates) {
    if (candidate.id === need.excludeId || candidate.build?.major !== need.osMajor) continue;
    if (candidate.openCorruption.some((item) => item.family === family)) continue;
    if (!need.kbs.every((kb) => candidate.hasInstalled(kb))) continue;
    donors.push(candidate);
  }
  return donors
    .sort((a, b) => timeOf(b.state.lastSeenAt) - timeOf(a.state.lastSeenAt) || (a.id < b.id ? -1 : 1))
    .slice(0, limit)
    .map(donorOf);
}

export function donorOf(facts: DeviceFacts): Donor {
  return { deviceId: facts.id, hostname: facts.state.hostname, osBuild: facts.state.osBuild, lastSeenAt: facts.state.lastSeenAt };
}

// ---- Paths and shipping updates --------------------------------------------------------------------

const MICROSOFT_TOKEN = '31bf3856ad364e35';

/**
 * `C:\Windows\WinSxS\<component key>\<file>` for each corrupt version and file. The full key is
 * used when a log gave it; otherwise the folder ends in `*` where the log left out the hash.
 */
export function winsxsPaths(evidence: FamilyEvidence): string[] {
  const paths = new Set<string>();
  for (const version of evidence.versions) {
    const key =
      evidence.components.find((component) => component.includes(`_${version}_`)) ??
      `${evidence.arch ?? 'amd64'}_${evidence.family}_${MICROSOFT_TOKEN}_${version}_none_*`;
    if (evidence.files.length === 0) paths.add(`C:\\Windows\\WinSxS\\${key}`);
    for (const file of evidence.files) paths.add(`C:\\Windows\\WinSxS\\${key}\\${file}`);
  }
  return [...paths];
}

interface ShippingUpdate {
  version: string;
  entry: CatalogEntry;
  fromFleet: boolean;
}

/**
 * Updates that shipped the family's corrupt versions (10.0.19041.3636 → KB5031445). Only updates no
 * newer than the device's build qualify: a newer one is the update that is failing, not a source.
 * When none of the subject's own versions is in the catalog, versions seen on other devices of the
 * same cluster stand in for them.
 */
export function shippingUpdates(evidence: FamilyEvidence, catalog: UpdateCatalog, build: RemediationSubject['osBuild']): ShippingUpdate[] {
  const resolve = (versions: readonly string[], fromFleet: boolean) =>
    versions
      .map((version) => ({ version, entry: catalog.updateForComponentVersion(version), fromFleet }))
      .filter((item): item is ShippingUpdate => item.entry !== null && (!build || item.entry.revision <= build.revision));
  const own = resolve(evidence.versions, false);
  if (own.length > 0) return own;
  return resolve(evidence.fleetVersions.filter((version) => !evidence.versions.includes(version)), true);
}

// ---- Rule evaluation -------------------------------------------------------------------------------

type Variables = Record<string, string>;

interface Instance {
  /** The step's facts, language-free (empty string: not known or not applicable). */
  params: Variables;
  /** Values only the commands use (lower-case KB ids for file names). */
  commandVariables: Variables;
  family: string | null;
  kb: string | null;
  donors?: Donor[];
  paths?: string[];
  /** WinSxS folders whose name the log shortened (`…_none_*`): the donor's listing names them. */
  folders?: string[];
}

/** How each named condition is decided for a subject (and, for per-family rules, one family). */
const CONDITIONS: Record<RemediationCondition, (subject: RemediationSubject, context: RemediationContext, family: FamilyEvidence | null) => boolean> = {
  openCorruption: (subject) => subject.families.length > 0,
  sourceMissing: (subject) => subject.sourceMissingEvidence !== null,
  donorsFound: (subject, context, family) =>
    family ? (context.donors.get(family.family)?.length ?? 0) > 0 : subject.families.some((item) => (context.donors.get(item.family)?.length ?? 0) > 0),
  shippingUpdateKnown: (subject, context, family) =>
    (family ? [family] : subject.families).some((item) => shippingUpdates(item, context.catalog, subject.osBuild).length > 0),
  failedUpdate: (subject) => subject.failedKbs.length > 0,
  restartPending: (subject) => subject.pendingKbs.length > 0,
};

/** Evaluates every rule in order and returns the numbered steps that apply, each with its reason. */
export function recommendRemediation(subject: RemediationSubject, context: RemediationContext, rules: readonly RemediationRule[] = REMEDIATION_RULES): RemediationStep[] {
  const steps: RemediationStep[] = [];
  const base = subjectParams(subject, context);
  for (const rule of rules) {
    for (const instance of instancesOf(rule, subject, context, base)) {
      const familyEvidence = subject.families.find((item) => item.family === instance.family) ?? null;
      const holds = (name: RemediationCondition) => CONDITIONS[name](subject, context, familyEvidence);
      if (!rule.when.every(holds) || (rule.unless !== undefined && rule.unless.every(holds))) continue;
      const text = englishVariables(instance.params, subject);
      const params = usedParams(rule, instance.params);
      steps.push({
        order: steps.length + 1,
        rule: rule.id,
        action: rule.action,
        title: render(rule.title, text),
        why: render(rule.why, text),
        params,
        commands: renderCommands(rule.commands, { ...instance.params, ...instance.commandVariables }, { paths: instance.paths ?? [], folders: instance.folders ?? [] }),
        family: instance.family,
        kb: instance.kb,
        ...(instance.donors ? { donors: instance.donors } : {}),
        ...(instance.paths ? { paths: instance.paths } : {}),
      });
    }
  }
  return steps;
}

/** The facts a rule's title and reason speak of: every param its rule declares, nothing the commands alone need. */
function usedParams(rule: RemediationRule, params: Variables): Record<string, string> {
  return Object.fromEntries(rule.params.map((name) => [name, params[name] ?? '']));
}

/**
 * English wording of the facts: fallbacks for unknown values and the clauses that appear only when a
 * fact holds. Other languages word the same params themselves (the dashboard's catalogs).
 */
function englishVariables(params: Variables, subject: RemediationSubject): Variables {
  return {
    ...params,
    sourceMissingEvidence: subject.sourceMissingEvidence ?? '',
    sourceName: params.repairSource ? `the configured repair source ${params.repairSource}` : 'Windows Update',
    retryKbs: params.retryKbs || 'the update',
    hresultName: params.hresultName || 'no name in the HRESULT table',
    blockedBy: params.blockedBy ? ` while ${params.blockedBy} corruption was open` : '',
    donorBuild: params.donorBuild || 'unknown',
    donorKbs: params.donorKbs || 'the latest update',
    partialKeyNote: params.partialKey ? ' The log shortened the component key, so the first command lists the donor folder whose name replaces * in the paths.' : '',
    shipDate: params.shipDate || 'release date unknown',
    shipVersionOrigin: params.shipVersionFromFleet
      ? ` (seen on other devices of the ${params.family} cluster; this ${params.scope}'s own ${params.versions} is not in the update catalog)`
      : '',
  };
}

function subjectParams(subject: RemediationSubject, context: RemediationContext): Variables {
  const donor = subject.families.map((item) => context.donors.get(item.family)?.[0]).find((item) => item !== undefined);
  const missing = subject.sourceMissing;
  return {
    scope: subject.scope,
    families: subject.families.map((item) => item.family).join(', '),
    pendingKbs: subject.pendingKbs.join(', '),
    sourceMissingCode: missing?.code ? SOURCE_MISSING_HRESULT : '',
    sourceMissingName: missing?.code ? (lookupHresult(SOURCE_MISSING_HRESULT)?.name ?? '') : '',
    sourceMissingLogLine: missing?.logLine ? SOURCE_MISSING_LOG_LINE : '',
    sourceMissingDevices: missing?.devices === null || missing?.devices === undefined ? '' : String(missing.devices),
    donorHost: donor?.hostname ?? '',
    repairSource: context.repairSource ?? '',
    retryKbs: subject.failedKbs.map((item) => item.kb).join(', '),
  };
}

function instancesOf(rule: RemediationRule, subject: RemediationSubject, context: RemediationContext, base: Variables): Instance[] {
  switch (rule.scope) {
    case 'subject':
      return [{ params: base, commandVariables: {}, family: null, kb: null }];
    case 'failedKb':
      return subject.failedKbs.map((failed) => ({
        family: null,
        kb: failed.kb,
        commandVariables: { kbLower: failed.kb.toLowerCase() },
        params: {
          ...base,
          kb: failed.kb,
          hresult: failed.hresult,
          hresultName: lookupHresult(failed.hresult)?.name ?? '',
          blockedBy: failed.blockedBy.join(', '),
        },
      }));
    case 'family':
      return subject.families.map((family) => familyInstance(family, subject, context, base));
    case 'shippingUpdate':
      return subject.families.flatMap((family) =>
        shippingUpdates(family, context.catalog, subject.osBuild).map((update) => ({
          family: family.family,
          kb: update.entry.kb,
          commandVariables: { shipKbLower: update.entry.kb.toLowerCase() },
          params: {
            ...base,
            family: family.family,
            versions: family.versions.join(', '),
            shipKb: update.entry.kb,
            shipBuild: update.entry.build,
            shipDate: update.entry.releaseDate ?? '',
            shipVersion: update.version,
            shipVersionFromFleet: update.fromFleet ? 'true' : '',
          },
        })),
      );
  }
}

function familyInstance(family: FamilyEvidence, subject: RemediationSubject, context: RemediationContext, base: Variables): Instance {
  const donors = [...(context.donors.get(family.family) ?? [])];
  const donor = donors[0];
  const paths = winsxsPaths(family);
  const partial = paths.filter((path) => path.includes('*'));
  const folders = [...new Set(partial.map((path) => path.slice(0, path.indexOf('*') + 1)))];
  return {
    family: family.family,
    kb: null,
    donors,
    paths,
    folders,
    commandVariables: {},
    params: {
      ...base,
      family: family.family,
      versions: family.versions.join(', '),
      donorHost: donor?.hostname ?? '',
      donorBuild: donor?.osBuild ?? '',
      donorKbs: subject.failedKbs.map((item) => item.kb).join(', '),
      partialKey: folders.length > 0 ? 'true' : '',
    },
  };
}

function render(template: string, variables: Variables): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => variables[name] ?? whole);
}

const KB_LOWER = /^kb\d{4,9}$/;
const KB = /^KB\d{4,9}$/;
const WINSXS = 'C:\\Windows\\WinSxS\\';

/**
 * `C:\Windows\WinSxS\<key>[\<file path>]` made of Windows names only: no segment climbs out with
 * `..` or holds a character a name cannot. A key the log shortened ends in `_*`.
 */
function isWinsxsPath(path: string): boolean {
  if (!path.startsWith(WINSXS)) return false;
  const [key = '', ...rest] = path.slice(WINSXS.length).split('\\');
  return isWindowsName(key.endsWith('_*') ? key.slice(0, -1) : key) && rest.every((segment) => isWindowsName(segment));
}

/**
 * What each command variable must look like, on top of what quoting needs (defence in depth: the
 * report schema already holds names to these rules, but stored data may predate them).
 */
const COMMAND_VALUE_RULES: Readonly<Record<string, { label: string; holds: (value: string) => boolean }>> = {
  donorHost: { label: 'the donor host name', holds: isHostname },
  path: { label: 'a WinSxS path (component key, version or file name)', holds: isWinsxsPath },
  pathWithoutDrive: { label: 'a WinSxS path (component key, version or file name)', holds: (value) => isWinsxsPath(`C:\\${value}`) },
  folderWithoutDrive: { label: 'a WinSxS folder (component key)', holds: (value) => isWinsxsPath(`C:\\${value}`) },
  kbLower: { label: 'the update id', holds: (value) => KB_LOWER.test(value) },
  shipKbLower: { label: 'the update id', holds: (value) => KB_LOWER.test(value) },
  shipKb: { label: 'the update id', holds: (value) => KB.test(value) },
  repairSource: { label: 'the configured repair source', holds: () => true },
};

function commandValueProblem(name: string, value: string): string | null {
  const rule = COMMAND_VALUE_RULES[name];
  return rule && value !== '' && !rule.holds(value) ? `is not ${rule.label}` : null;
}

/** The one line a step's commands become when a value cannot be put on a command line safely: a comment, harmless if pasted. */
export function withheldCommand(variable: string): string {
  const label = COMMAND_VALUE_RULES[variable]?.label ?? `the value of ${variable}`;
  return `rem PatchLens withheld the commands of this step: ${label} holds characters that are not safe on a command line.`;
}

/** The values each line repeats over: every WinSxS path, every shortened folder, or once. */
function repetitionsOf(template: string, repeats: { paths: readonly string[]; folders: readonly string[] }): Variables[] {
  const withoutDrive = (path: string) => path.replace(/^[A-Za-z]:\\/, '');
  if (/\{path(?:WithoutDrive)?\}/.test(template)) return repeats.paths.map((path) => ({ path, pathWithoutDrive: withoutDrive(path) }));
  if (template.includes('{folderWithoutDrive}')) return repeats.folders.map((folder) => ({ folderWithoutDrive: withoutDrive(folder) }));
  return [{}];
}

/**
 * The step's command lines, every value quoted by `fillCommandTemplate`. When any value cannot be,
 * the whole step's commands are withheld: half a repair sequence would be worse than none.
 */
function renderCommands(templates: readonly string[], variables: Variables, repeats: { paths: readonly string[]; folders: readonly string[] }): string[] {
  const lines: string[] = [];
  for (const template of templates) {
    for (const repeated of repetitionsOf(template, repeats)) {
      const filled = fillCommandTemplate(template, { ...variables, ...repeated }, commandValueProblem);
      if (!filled.ok) return [withheldCommand(filled.variable)];
      if (filled.line.trim()) lines.push(filled.line);
    }
  }
  return lines;
}
