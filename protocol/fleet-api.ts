// Fleet-knowledge API: request and response schemas of the read, baseline, alert, webhook and trend routes.
import * as z from 'zod';
import { CORRUPTION_KINDS, CORRUPTION_SOURCES, PACKAGE_STATES, hresultSchema, kbSchema } from './report';

const isoTime = z.string();
const count = z.number().int().min(0);

// ---- Baselines and compliance -------------------------------------------------------------------

export const COMPLIANCE_STATUSES = ['compliant', 'pending', 'failed', 'missing', 'overdue'] as const;
export const complianceStatusSchema = z.enum(COMPLIANCE_STATUSES);
export type ComplianceStatus = z.infer<typeof complianceStatusSchema>;

export const baselineInputSchema = z.object({
  kb: kbSchema,
  /** An OS build major (19045) or the first build of a servicing family (19041 = Windows 10 2004–22H2). */
  appliesTo: z.number().int().min(1_000).max(99_999),
  dueDate: z.iso.date(),
  name: z.string().trim().min(1).max(200).optional(),
});
export type BaselineInput = z.infer<typeof baselineInputSchema>;

/** The name a baseline gets when none is given (English; clients recognise it and word it themselves). */
export function defaultBaselineName(input: Pick<BaselineInput, 'kb' | 'appliesTo' | 'dueDate'>): string {
  return `${input.kb} on ${input.appliesTo} by ${input.dueDate}`;
}

export const baselineSchema = baselineInputSchema.extend({
  id: z.number().int().positive(),
  name: z.string(),
  createdAt: isoTime,
});
export type Baseline = z.infer<typeof baselineSchema>;

export const baselineComplianceSchema = z.object({
  baseline: baselineSchema,
  applicable: count,
  compliant: count,
  pending: count,
  failed: count,
  missing: count,
  overdue: count,
  compliancePercent: z.number(),
  /** True while devices are being re-evaluated after a baseline change; the counts are still moving. */
  evaluating: z.boolean(),
});
export type BaselineCompliance = z.infer<typeof baselineComplianceSchema>;

// ---- Overview, KBs, errors ----------------------------------------------------------------------

export const fleetSummarySchema = z.object({
  devices: z.object({ total: count, reporting: count, stale: count }),
  total: count,
  reporting: count,
  stale: count,
  failingDevices: count,
  devicesWithCorruption: count,
  openClusters: count,
  compliance: z.array(baselineComplianceSchema),
  staleAfterHours: z.number(),
  generatedAt: isoTime,
});
export type FleetSummary = z.infer<typeof fleetSummarySchema>;

export const kbSummarySchema = z.object({
  kb: kbSchema,
  /** Devices per servicing state of the KB's packages (`Failed` when the last attempt failed). */
  states: z.partialRecord(z.enum(PACKAGE_STATES), count),
  devices: count,
  releaseDate: z.string().nullable(),
  build: z.string().nullable(),
});
export type KbSummary = z.infer<typeof kbSummarySchema>;
export const kbListSchema = z.object({ items: z.array(kbSummarySchema) });

export const errorSummarySchema = z.object({
  hresult: hresultSchema,
  name: z.string().nullable(),
  meaning: z.string().nullable(),
  typicalFix: z.string().nullable(),
  deviceCount: count,
  /** KBs whose open failures carry this code, most devices first. */
  kbs: z.array(z.object({ kb: kbSchema, deviceCount: count })),
});
export type ErrorSummary = z.infer<typeof errorSummarySchema>;
export const errorListSchema = z.object({ items: z.array(errorSummarySchema) });

// ---- Corruption clusters ------------------------------------------------------------------------

export const clusterSchema = z.object({
  family: z.string(),
  deviceCount: count,
  versions: z.array(z.string()),
  files: z.array(z.string()),
  kinds: z.array(z.enum(CORRUPTION_KINDS)),
  sources: z.array(z.enum(CORRUPTION_SOURCES)),
  blockedKbs: z.array(kbSchema),
  hresults: z.array(hresultSchema),
  firstSeenAt: isoTime,
  lastSeenAt: isoTime,
});
export type Cluster = z.infer<typeof clusterSchema>;
export const clusterListSchema = z.array(clusterSchema);

// ---- Remediation --------------------------------------------------------------------------------

export const REMEDIATION_ACTIONS = [
  'copy-from-donor',
  'restore-health',
  'sfc-scannow',
  'install-shipping-update',
  'retry-update',
  'restart',
] as const;
export const remediationActionSchema = z.enum(REMEDIATION_ACTIONS);

export const donorSchema = z.object({
  deviceId: z.string(),
  hostname: z.string(),
  osBuild: z.string().nullable(),
  lastSeenAt: isoTime,
});
export type Donor = z.infer<typeof donorSchema>;

export const remediationStepSchema = z.object({
  order: z.number().int().positive(),
  rule: z.string(),
  action: remediationActionSchema,
  title: z.string(),
  /** Why this step applies to this device or cluster, in one sentence built from its facts. */
  why: z.string(),
  /**
   * The facts `title` and `why` are built from, per rule (`family`, `donorHost`, `kb`, …; empty when
   * unknown), so a client can word the step in another language. `title`/`why` are English.
   */
  params: z.record(z.string(), z.string()),
  commands: z.array(z.string()),
  family: z.string().nullable(),
  kb: kbSchema.nullable(),
  donors: z.array(donorSchema).optional(),
  /** `C:\Windows\WinSxS\<component key>\<file>` paths to copy from a donor. */
  paths: z.array(z.string()).optional(),
});
export type RemediationStep = z.infer<typeof remediationStepSchema>;

// ---- Device list and detail ---------------------------------------------------------------------

export const DEVICE_SORTS = ['id', 'hostname', 'lastSeen'] as const;
export const deviceListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
  q: z.string().trim().max(200).optional(),
  kb: kbSchema.optional(),
  state: z.enum(PACKAGE_STATES).optional(),
  hresult: hresultSchema.optional(),
  family: z.string().max(500).optional(),
  osBuild: z.string().regex(/^\d+(\.\d+)?$/, 'osBuild is a major (19045) or major.revision (19045.4894)').optional(),
  stale: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  sort: z.enum(DEVICE_SORTS).default('id'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type DeviceListQuery = z.infer<typeof deviceListQuerySchema>;

export const deviceListItemSchema = z.object({
  id: z.string(),
  hostname: z.string(),
  osBuild: z.string().nullable(),
  lastSeenAt: isoTime,
  stale: z.boolean(),
  failedKbs: z.array(kbSchema),
  hresults: z.array(hresultSchema),
  corruptFamilies: z.array(z.string()),
});
export type DeviceListItem = z.infer<typeof deviceListItemSchema>;
export const deviceListSchema = z.object({ items: z.array(deviceListItemSchema), nextCursor: z.string().nullable() });

export const deviceComplianceSchema = z.object({
  baselineId: z.number().int(),
  kb: kbSchema,
  dueDate: z.string(),
  status: complianceStatusSchema,
});

// ---- Alerts, webhooks, settings, trends ---------------------------------------------------------

export const ALERT_KINDS = ['cluster-new', 'cluster-threshold', 'compliance-below', 'device-stale'] as const;
export const alertKindSchema = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof alertKindSchema>;

export const alertSchema = z.object({
  id: z.number().int(),
  kind: alertKindSchema,
  conditionKey: z.string(),
  message: z.string(),
  subject: z.string(),
  raisedAt: isoTime,
  clearedAt: isoTime.nullable(),
  details: z.record(z.string(), z.unknown()),
  /** The values `message` is built from, per kind, as text (`family`, `deviceCount`, `threshold`, `name`, …), for other languages. */
  params: z.record(z.string(), z.string()),
});
export type Alert = z.infer<typeof alertSchema>;

/** An alert's message values: the text, number and boolean entries of its details. */
export function alertParams(details: unknown): Record<string, string> {
  if (typeof details !== 'object' || details === null) return {};
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(details)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params[name] = String(value);
  }
  return params;
}
export const alertListSchema = z.object({ items: z.array(alertSchema), nextCursor: z.string().nullable() });

export const webhookInputSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  /** Shared secret for the HMAC-SHA256 signature; generated when omitted. */
  secret: z.string().min(16).max(200).optional(),
  kinds: z.array(alertKindSchema).min(1).default([...ALERT_KINDS]),
  enabled: z.boolean().default(true),
});
export type WebhookInput = z.infer<typeof webhookInputSchema>;
export const webhookSchema = z.object({
  id: z.number().int(),
  url: z.string(),
  kinds: z.array(alertKindSchema),
  enabled: z.boolean(),
  createdAt: isoTime,
});
export type Webhook = z.infer<typeof webhookSchema>;

export const fleetSettingsSchema = z.object({
  /** A device that has not reported for this long is stale. */
  staleAfterHours: z.number().positive().max(24 * 365),
  /** A cluster alert fires when a family reaches this many devices. */
  clusterAlertThreshold: z.number().int().min(2).max(1_000_000),
  /** A compliance alert fires when a baseline falls under this percentage. */
  complianceAlertPercent: z.number().min(0).max(100),
  /** Daily trend snapshots are kept this long (never less than 400 days). */
  trendRetentionDays: z.number().int().min(400).max(3_650),
  /** RestoreHealth `/Source:` offered when no donor is known, e.g. `wim:\\fs01\images\19045\install.wim:1`; null uses Windows Update. */
  repairSource: z.string().min(1).max(500).nullable(),
  /** Webhooks may use plain `http://` (signed, but readable and changeable on the way). Off by default. */
  allowHttpWebhooks: z.boolean(),
  /**
   * Webhooks may post to loopback, private, link-local (cloud metadata), CGNAT and unique-local addresses,
   * literal or resolved. Off by default, so an admin account cannot be used to probe the server's own network.
   */
  allowPrivateWebhookTargets: z.boolean(),
});
export type FleetSettings = z.infer<typeof fleetSettingsSchema>;
export const fleetSettingsPatchSchema = fleetSettingsSchema.partial();

export const trendPointSchema = z.object({
  day: z.iso.date(),
  devices: count,
  failingDevices: count,
  devicesWithCorruption: count,
  compliancePercent: z.number().nullable(),
  /** Per corruption family: devices with it open, devices where it was first detected that day, devices where it was repaired that day. */
  families: z.record(z.string(), z.object({ open: count, detected: count, repaired: count })),
  /** Compliance per baseline that day (`compliancePercent` null when no device was subject to it); empty for days before it was kept. */
  baselines: z.array(
    z.object({
      baselineId: z.number().int(),
      kb: kbSchema,
      name: z.string(),
      applicable: count,
      compliant: count,
      compliancePercent: z.number().nullable(),
    }),
  ),
});
export type TrendPoint = z.infer<typeof trendPointSchema>;

/** A baseline's compliance as one day of its trend keeps it. */
export function baselineTrendEntry(item: BaselineCompliance): TrendPoint['baselines'][number] {
  return {
    baselineId: item.baseline.id,
    kb: item.baseline.kb,
    name: item.baseline.name,
    applicable: item.applicable,
    compliant: item.compliant,
    compliancePercent: item.applicable === 0 ? null : item.compliancePercent,
  };
}
export const trendListSchema = z.object({ items: z.array(trendPointSchema) });
