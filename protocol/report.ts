// Report v1: the one wire format from agent (and `scan --json`) to server, as zod schemas and inferred types.
import * as z from 'zod';
import { ARCH_PATTERN, componentProblem, HOSTNAME_MAX_CHARS, hostnameProblem, VERSION_PATTERN, windowsFileProblem, windowsNameProblem } from './windows-names';

/** The report schema version this build speaks. Bump only with a new schema module beside this one. */
export const REPORT_SCHEMA_VERSION = 1 as const;

/** Limits that keep one report bounded in memory and on the wire. */
export const REPORT_LIMITS = {
  packages: 20_000,
  failures: 1_000,
  corruption: 5_000,
  scans: 500,
  hotfixes: 5_000,
  updateHistory: 2_000,
  evidenceLines: 5,
  evidenceLineChars: 2_000,
  files: 1_000,
  parseWarnings: 20,
  parseWarningChars: 500,
} as const;

/** Lower-case `0x` + 8 hex digits, the only HRESULT spelling on the wire. */
export const hresultSchema = z.string().regex(/^0x[0-9a-f]{8}$/, 'HRESULT must be 0x followed by 8 lower-case hex digits');
export const kbSchema = z.string().regex(/^KB\d{4,9}$/, 'KB ids are "KB" followed by digits');
/**
 * A point in time. Log lines carry local time without a zone; the parser adds the offset when the
 * log reveals it (CSI `@` UTC stamps, `Universal Time is:`) or the agent knows it, so both forms are valid.
 */
export const timestampSchema = z.iso.datetime({ offset: true, local: true });
const nullableString = z.string().max(1_000).nullable();

/** A string schema that holds one naming rule of `windows-names.ts` and says what broke it. */
function named(base: z.ZodString, problem: (value: string) => string | null) {
  return base.superRefine((value, context) => {
    const found = problem(value);
    if (found) context.addIssue({ code: 'custom', message: found });
  });
}

/** NetBIOS/DNS host names: enrollment and `device.hostname`. */
export const hostnameSchema = named(z.string().min(1).max(HOSTNAME_MAX_CHARS), hostnameProblem);
const familySchema = named(z.string().min(1).max(500), (value) => windowsNameProblem(value, 'a family'));
const componentSchema = named(z.string().max(1_000), componentProblem);
const windowsFileSchema = named(z.string().max(1_000), windowsFileProblem);
const componentVersionSchema = z.string().max(50).regex(VERSION_PATTERN, 'a version is one to four dot-separated numbers, e.g. 10.0.19041.746');
const architectureSchema = z.string().max(20).regex(ARCH_PATTERN, 'an architecture is letters, digits and underscores, e.g. amd64');
const evidenceSchema = z
  .array(z.string().max(REPORT_LIMITS.evidenceLineChars))
  .min(1)
  .max(REPORT_LIMITS.evidenceLines);

/** CBS servicing-state words, plus `Failed` when the last attempt on the package failed. */
export const PACKAGE_STATES = [
  'Absent',
  'Resolving',
  'Resolved',
  'Staging',
  'Staged',
  'Superseded',
  'Install Pending',
  'Uninstall Pending',
  'Partially Installed',
  'Installed',
  'Permanent',
  'Failed',
] as const;
export const packageStateSchema = z.enum(PACKAGE_STATES);
export type PackageState = z.infer<typeof packageStateSchema>;

export const CORRUPTION_KINDS = [
  'payload-corrupt',
  'payload-missing',
  'binary-missing',
  'hydration-failed',
  'hash-mismatch',
  'manifest-corrupt',
  'manifest-missing',
  'metadata-corrupt',
  'mum-corrupt',
  'mum-missing',
  'catalog-corrupt',
  'other',
] as const;
export const corruptionKindSchema = z.enum(CORRUPTION_KINDS);
export type CorruptionKind = z.infer<typeof corruptionKindSchema>;

export const CORRUPTION_SOURCES = ['cbs', 'sur', 'sfc', 'checksur'] as const;
export const corruptionSourceSchema = z.enum(CORRUPTION_SOURCES);
export type CorruptionSource = z.infer<typeof corruptionSourceSchema>;

export const SCAN_TOOLS = ['dism', 'sfc', 'checksur'] as const;
export const scanToolSchema = z.enum(SCAN_TOOLS);
export type ScanTool = z.infer<typeof scanToolSchema>;

const count = z.number().int().min(0);

export const deviceSchema = z.object({
  id: z.string().min(1).max(200),
  /** NetBIOS/DNS host name (`windows-names.ts`): a donor's name goes into repair commands as `\\HOST\C$`. */
  hostname: hostnameSchema,
  /** `major.UBR`, e.g. 19045.4894. */
  osBuild: z.string().regex(/^\d+\.\d+$/).optional(),
  servicingStack: z.string().regex(/^\d+(\.\d+){1,3}$/).optional(),
  productName: z.string().max(200).optional(),
  edition: z.string().max(200).optional(),
  displayVersion: z.string().max(50).optional(),
  architecture: z.string().max(20).optional(),
  timeZone: z.string().max(100).optional(),
  agentVersion: z.string().max(50).optional(),
});
export type Device = z.infer<typeof deviceSchema>;

export const packageSchema = z.object({
  identity: z.string().min(1).max(1_000),
  kb: kbSchema.nullable(),
  state: packageStateSchema,
  lastResult: hresultSchema.nullable(),
  failureSource: nullableString,
  lastChangeAt: timestampSchema.nullable(),
  client: nullableString,
});
export type PackageRecord = z.infer<typeof packageSchema>;

export const failureSchema = z.object({
  at: timestampSchema,
  package: z.string().max(1_000).nullable(),
  kb: kbSchema.nullable(),
  hresult: hresultSchema,
  hresultName: nullableString,
  failureSource: nullableString,
  startState: nullableString,
  targetState: nullableString,
  client: nullableString,
  /** The operation that failed first in the chain, e.g. "stage execution chain". */
  operation: z.string().max(1_000).nullable().optional(),
  evidence: evidenceSchema,
});
export type FailureRecord = z.infer<typeof failureSchema>;

/**
 * A corruption record as the server stores and shows it: the shape of Report v1 without its naming
 * rules, so records stored before those rules still read. Reports are checked with `corruptionSchema`.
 */
export const storedCorruptionSchema = z.object({
  at: timestampSchema,
  /** The full component key or identity when the log names it. */
  component: z.string().max(1_000).nullable(),
  family: z.string().min(1).max(500),
  arch: z.string().max(20).nullable(),
  version: z.string().max(50).nullable(),
  file: z.string().max(1_000).nullable(),
  kind: corruptionKindSchema,
  source: corruptionSourceSchema,
  repaired: z.boolean(),
  hresult: hresultSchema.nullable().optional(),
  evidence: evidenceSchema,
});

/**
 * A corruption finding of Report v1. Every field that names something (component, family, arch,
 * version, file) follows the Windows naming rules of `windows-names.ts`: these values become paths
 * and arguments of repair commands. Evidence lines stay raw log text; they are shown, never run.
 */
export const corruptionSchema = storedCorruptionSchema.extend({
  component: componentSchema.nullable(),
  family: familySchema,
  arch: architectureSchema.nullable(),
  version: componentVersionSchema.nullable(),
  file: windowsFileSchema.nullable(),
});
export type CorruptionRecord = z.infer<typeof corruptionSchema>;

export const detectedCountsSchema = z.object({
  total: count,
  cbsManifest: count,
  cbsMetadata: count,
  csiManifest: count,
  csiMetadata: count,
  csiPayload: count,
});
export const repairedCountsSchema = z.object({
  total: count,
  cbsManifest: count,
  csiManifest: count,
  csiPayload: count,
});

export const scanSchema = z.object({
  at: timestampSchema,
  tool: scanToolSchema,
  /** `Detect and Repair`, `Detect only`, `scannow`, `verifyonly`, `checksur`. */
  operation: z.string().min(1).max(100),
  result: hresultSchema.nullable(),
  detected: detectedCountsSchema,
  repaired: repairedCountsSchema,
  /** True when the run started but its end never reached the log (SFC without `Repair complete`). */
  interrupted: z.boolean().optional(),
  lastSuccessfulStep: z.string().max(500).nullable().optional(),
  durationSeconds: count.nullable().optional(),
  /** SFC: number of components verified. */
  componentsVerified: count.nullable().optional(),
  /** Rows that could not be repaired (SFC `Cannot repair`, DISM `Repair failed`, CheckSUR unfixed). */
  unrepaired: count.nullable().optional(),
});
export type ScanRecord = z.infer<typeof scanSchema>;

export const hotfixSchema = z.object({
  kb: kbSchema,
  installedOn: z.iso.date().nullable(),
  description: z.string().max(200).nullable().optional(),
  installedBy: z.string().max(200).nullable().optional(),
});
export type HotfixRecord = z.infer<typeof hotfixSchema>;

/** Windows Update Agent history entry (IUpdateHistoryEntry). */
export const updateHistorySchema = z.object({
  kb: kbSchema.nullable(),
  title: z.string().max(1_000),
  /** 1 = install, 2 = uninstall (UpdateOperation). */
  operation: z.number().int(),
  /** OperationResultCode: 0 not started … 2 succeeded, 3 with errors, 4 failed, 5 aborted. */
  resultCode: z.number().int().min(0).max(5),
  hresult: hresultSchema.nullable(),
  date: timestampSchema.nullable(),
});
export type UpdateHistoryRecord = z.infer<typeof updateHistorySchema>;

export const parseStatsSchema = z.object({
  files: z
    .array(z.object({ name: z.string().max(1_000), bytes: count, lines: count }))
    .max(REPORT_LIMITS.files),
  unrecognizedLines: count,
  /**
   * What the parser left out of the facts and why, one sentence per kind (`3 corruption file names
   * were left out: …`); absent when nothing was. The left-out values themselves are never kept.
   */
  warnings: z.array(z.string().max(REPORT_LIMITS.parseWarningChars)).max(REPORT_LIMITS.parseWarnings).optional(),
});
export type ParseStats = z.infer<typeof parseStatsSchema>;

export const reportSchema = z.object({
  schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
  reportId: z.string().min(8).max(128).regex(/^[A-Za-z0-9._:-]+$/, 'reportId may hold letters, digits and . _ : -'),
  generatedAt: z.iso.datetime({ offset: true }),
  /** Per-device monotonic counter; when absent the server orders reports by generatedAt. */
  sequence: z.number().int().min(0).optional(),
  device: deviceSchema,
  packages: z.array(packageSchema).max(REPORT_LIMITS.packages),
  failures: z.array(failureSchema).max(REPORT_LIMITS.failures),
  corruption: z.array(corruptionSchema).max(REPORT_LIMITS.corruption),
  scans: z.array(scanSchema).max(REPORT_LIMITS.scans),
  hotfixes: z.array(hotfixSchema).max(REPORT_LIMITS.hotfixes),
  updateHistory: z.array(updateHistorySchema).max(REPORT_LIMITS.updateHistory).optional(),
  parse: parseStatsSchema,
});
export type Report = z.infer<typeof reportSchema>;

/** Parses untrusted input into a Report, or returns readable issues. */
export function parseReport(input: unknown): { ok: true; report: Report } | { ok: false; issues: ReportIssue[] } {
  const result = reportSchema.safeParse(input);
  if (result.success) return { ok: true, report: result.data };
  return {
    ok: false,
    issues: result.error.issues.slice(0, 50).map((issue) => ({
      path: issue.path.map(String).join('.'),
      message: issue.message,
    })),
  };
}

export interface ReportIssue {
  path: string;
  message: string;
}
