// The device detail view (GET /devices/:id) and the Analyze-a-log answer (POST /analyze), which shows the same view.
import * as z from 'zod';
import { clusterSchema, deviceComplianceSchema, deviceListItemSchema, remediationStepSchema } from './fleet-api';
import { failureSchema, hotfixSchema, packageSchema, packageStateSchema, parseStatsSchema, scanSchema, storedCorruptionSchema } from './report';

export const hresultInfoSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  meaning: z.string().nullable(),
  source: z.string().nullable(),
});

const optionalText = z.string().nullable().optional();

export const deviceDetailSchema = z.object({
  device: z.object({
    id: z.string(),
    hostname: z.string(),
    osBuild: z.string().nullable(),
    servicingStack: optionalText,
    productName: optionalText,
    edition: optionalText,
    displayVersion: optionalText,
    architecture: optionalText,
    firstSeenAt: z.string().optional(),
    lastSeenAt: z.string().optional(),
    stale: z.boolean().optional(),
  }),
  packages: z.array(packageSchema),
  /** `open`: the failure is the KB's latest outcome (not fixed by a later install). */
  failures: z.array(failureSchema.extend({ hresultInfo: hresultInfoSchema.nullable().optional(), open: z.boolean().optional() })),
  /** Stored records: data kept before the naming rules of Report v1 still shows. */
  corruption: z.array(storedCorruptionSchema.extend({ open: z.boolean().optional() })),
  scans: z.array(scanSchema),
  hotfixes: z.array(hotfixSchema),
  /** Current state per KB. */
  kbs: z.record(z.string(), packageStateSchema.nullable()),
  compliance: z.array(deviceComplianceSchema),
  /** Corruption families the device belongs to. */
  clusters: z.array(z.string()),
  remediation: z.array(remediationStepSchema),
});
export type DeviceDetail = z.infer<typeof deviceDetailSchema>;

/** GET /corruption/clusters/:family: the cluster, its builds, remediation, a page of its devices and devices over time. */
export const clusterDetailSchema = z.object({
  cluster: clusterSchema,
  /** Devices per OS build major. */
  builds: z.record(z.string(), z.number()),
  remediation: z.array(remediationStepSchema),
  devices: z.array(deviceListItemSchema),
  nextCursor: z.string().nullable(),
  series: z.array(z.object({ day: z.string(), devices: z.number(), detected: z.number(), repaired: z.number() })),
});
export type ClusterDetail = z.infer<typeof clusterDetailSchema>;

/** Upload limit of POST /analyze (a CBS folder zip can be large). */
export const ANALYZE_MAX_BYTES = 2 * 1024 ** 3;

export const analyzeResultSchema = z.object({
  /** What was read: the uploaded name, or each log inside a zip. */
  source: z.object({ name: z.string(), bytes: z.number().int().min(0), zip: z.boolean() }),
  /** Files in a zip that were not read (not a servicing log, e.g. CbsPersist_*.cab). */
  skipped: z.array(z.string()),
  parse: parseStatsSchema,
  detail: deviceDetailSchema,
  /** Set when the result was stored as a report of an existing device (`?deviceId=`). */
  attached: z.object({ deviceId: z.string(), reportId: z.string(), outcome: z.string() }).nullable(),
});
export type AnalyzeResult = z.infer<typeof analyzeResultSchema>;
