// Remediation rules as data: when each repair step applies, its commands and why, as templates.
import type { RemediationStep } from '../../../protocol/fleet-api';

/**
 * Facts a rule can require. Each name is evaluated by `CONDITIONS` in remediation.ts; a rule
 * applies when all of its conditions hold for the subject (a device, or a cluster of devices).
 */
export type RemediationCondition =
  | 'openCorruption'
  | 'sourceMissing'
  | 'donorsFound'
  | 'shippingUpdateKnown'
  | 'failedUpdate'
  | 'restartPending';

/**
 * What a rule is instantiated for: once per subject, per corrupt family, per failed update, or per
 * update that shipped a corrupt component version.
 */
export type RemediationScope = 'subject' | 'family' | 'failedKb' | 'shippingUpdate';

export interface RemediationRule {
  id: string;
  action: RemediationStep['action'];
  scope: RemediationScope;
  when: readonly RemediationCondition[];
  /** The rule is skipped when all of these hold: a more specific rule covers that case. */
  unless?: readonly RemediationCondition[];
  title: string;
  /**
   * cmd.exe lines with `{name}` placeholders filled from the step's variables. Every placeholder sits
   * inside double quotes, so each value is one quoted argument (`command-quoting.ts` checks it and
   * withholds the step's commands when a value cannot be quoted safely); a `[…]` part is left out
   * when a placeholder in it is empty. A line using `{path}` or `{pathWithoutDrive}` repeats once per
   * WinSxS path, one using `{folderWithoutDrive}` once per folder whose name the log shortened; a line
   * that renders empty is dropped.
   */
  commands: readonly string[];
  why: string;
  /**
   * The facts the title and reason speak of, sent with each step as `params` (raw values, empty when
   * unknown) so a client can word the step in its own language; `title`/`why` stay English.
   */
  params: readonly string[];
}

const SOURCE_MISSING_PARAMS = ['sourceMissingCode', 'sourceMissingName', 'sourceMissingLogLine', 'sourceMissingDevices'] as const;

/**
 * The rules in the order a support engineer runs them. Case 2 of the support desk is the model:
 * copy the broken file from a healthy device of the same build, RestoreHealth, SFC, retry the
 * update, and only if that still fails install the update that shipped the component version.
 */
export const REMEDIATION_RULES: readonly RemediationRule[] = [
  {
    id: 'restart-pending',
    action: 'restart',
    scope: 'subject',
    when: ['restartPending'],
    title: 'Restart to finish pending installs',
    commands: ['shutdown /r /t 0'],
    why: '{pendingKbs} installed but wait for a restart; servicing cannot repair or install more until it happens.',
    params: ['pendingKbs'],
  },
  {
    id: 'copy-from-donor',
    action: 'copy-from-donor',
    scope: 'family',
    when: ['openCorruption', 'sourceMissing', 'donorsFound'],
    title: 'Copy the intact {family} files from a healthy device of the same build',
    commands: [
      'dir /b /ad "\\\\{donorHost}\\C$\\{folderWithoutDrive}"',
      'takeown /f "{path}" && icacls "{path}" /grant Administrators:F',
      'copy /y "{path}" "{path}.bak"',
      'copy /y "\\\\{donorHost}\\C$\\{pathWithoutDrive}" "{path}"',
    ],
    why: 'DISM found no replacement payload on this {scope} ({sourceMissingEvidence}), so the {family} {versions} files must come from elsewhere; {donorHost} runs build {donorBuild}, has no open {family} corruption and has {donorKbs} installed, so its WinSxS copy is intact.{partialKeyNote}',
    params: ['scope', ...SOURCE_MISSING_PARAMS, 'family', 'versions', 'donorHost', 'donorBuild', 'donorKbs', 'partialKey'],
  },
  {
    id: 'restore-health-from-donor',
    action: 'restore-health',
    scope: 'subject',
    when: ['openCorruption', 'sourceMissing', 'donorsFound'],
    title: 'Repair the component store with the donor as source',
    commands: ['DISM /Online /Cleanup-Image /RestoreHealth /Source:"\\\\{donorHost}\\C$\\Windows\\WinSxS" /LimitAccess'],
    why: 'The last RestoreHealth ended with {sourceMissingEvidence}: Windows Update had no replacement payload, so DISM must read the healthy components of {donorHost} and stay off Windows Update.',
    params: [...SOURCE_MISSING_PARAMS, 'donorHost'],
  },
  {
    id: 'restore-health',
    action: 'restore-health',
    scope: 'subject',
    when: ['openCorruption'],
    unless: ['sourceMissing', 'donorsFound'],
    title: 'Repair the component store',
    commands: ['DISM /Online /Cleanup-Image /RestoreHealth[ /Source:"{repairSource}" /LimitAccess]'],
    why: 'The component store has open corruption in {families}; RestoreHealth replaces corrupt or missing payloads from {sourceName}.',
    params: ['families', 'repairSource'],
  },
  {
    id: 'sfc-scannow',
    action: 'sfc-scannow',
    scope: 'subject',
    when: ['openCorruption'],
    title: 'Repair protected system files',
    commands: ['sfc /scannow'],
    why: 'After the store is repaired, SFC restores system files that were projected from the corrupt {families} components.',
    params: ['families'],
  },
  {
    id: 'retry-update',
    action: 'retry-update',
    scope: 'failedKb',
    when: ['failedUpdate'],
    title: 'Install {kb} again',
    commands: ['wusa.exe "windows10.0-{kbLower}-x64.msu" /quiet /norestart', 'UsoClient StartInteractiveScan'],
    why: '{kb} failed with {hresult} ({hresultName}){blockedBy}; once the store is repaired the same install succeeds (offline from the .msu or online from Windows Update).',
    params: ['kb', 'hresult', 'hresultName', 'blockedBy'],
  },
  {
    id: 'install-shipping-update',
    action: 'install-shipping-update',
    scope: 'shippingUpdate',
    when: ['openCorruption', 'sourceMissing', 'shippingUpdateKnown'],
    title: 'If {retryKbs} still fails: install {shipKb}, which shipped {family} {shipVersion}',
    commands: [
      'mkdir "C:\\PatchLens\\{shipKb}"',
      'expand -F:* "windows10.0-{shipKbLower}-x64.msu" "C:\\PatchLens\\{shipKb}"',
      'DISM /Online /Add-Package /PackagePath:"C:\\PatchLens\\{shipKb}\\Windows10.0-{shipKbLower}-x64.cab"',
    ],
    why: '{shipKb} (OS build {shipBuild}, {shipDate}) is the update that shipped {family} {shipVersion}{shipVersionOrigin}; adding its package puts an intact copy of that component version back into WinSxS, then retry {retryKbs}.',
    params: ['scope', 'family', 'versions', 'shipKb', 'shipBuild', 'shipDate', 'shipVersion', 'shipVersionFromFleet', 'retryKbs'],
  },
];
