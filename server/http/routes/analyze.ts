// POST /analyze: a support engineer's uploaded servicing log, parsed by the agent's parser and shown as a device detail.
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { Router, type Request, type Response } from 'express';
import * as z from 'zod';
import { updateCatalog } from '../../../protocol/catalog';
import { ANALYZE_MAX_BYTES, type AnalyzeResult, type ClusterDetail, type DeviceDetail } from '../../../protocol/device-detail';
import type { Donor } from '../../../protocol/fleet-api';
import { lookupHresult } from '../../../protocol/hresult';
import { parseReport, type Report } from '../../../protocol/report';
import type { ParsedLogFacts } from '../../../parser/index';
import { AppError } from '../../errors';
import { deviceClusterFacts } from '../../fleet/clusters';
import { DeviceFacts, type DeviceState } from '../../fleet/device-state';
import type { Fleet } from '../../fleet/fleet';
import { deviceSubject, recommendRemediation } from '../../fleet/remediation';
import type { IngestQueue } from '../../ingest/ingest-queue';
import { principalName } from '../../security/authenticator';
import { ConcurrencyLimit } from '../../security/concurrency-limit';
import { clientIp } from '../auth-guard';
import type { AppModuleFactory, PlatformContext } from '../context';
import { liftRequestDeadline } from '../request-deadline';
import { uploadBody } from '../upload-body';
import { parseInput } from '../validate';
import { analyzeUpload, type AnalyzeLimits } from './analyze-log';

export interface AnalyzeOptions {
  /** Fleet knowledge: versions seen across the fleet, donors, repair source, and the stored view after attaching. */
  fleet?: () => Fleet | null;
  /** Where an attached result goes, as a report of the device. */
  ingest?: () => IngestQueue | null;
  maxBytes?: number;
}

const analyzeQuerySchema = z.object({
  /** The uploaded file's name: decides CBS vs CheckSUR layout and is shown in the result. */
  name: z.string().trim().min(1).max(255).default('CBS.log'),
  deviceId: z.string().min(1).max(200).optional(),
});

/** Seconds a client turned away because every analysis slot is busy is told to wait. */
const BUSY_RETRY_SECONDS = 10;

export function analyzeModule(options: AnalyzeOptions = {}): AppModuleFactory {
  return (ctx) => ({ name: 'analyze', router: analyzeRouter(ctx, options) });
}

export function analyzeRouter(ctx: PlatformContext, options: AnalyzeOptions = {}): Router {
  const router = Router();
  const maxBytes = options.maxBytes ?? ANALYZE_MAX_BYTES;
  const limits: AnalyzeLimits = { maxBytes, maxUnpackedBytes: ctx.config.analyzeZipMaxUnpackedBytes, maxRatio: ctx.config.analyzeZipMaxRatio };
  const analyses = new ConcurrencyLimit(ctx.config.analyzeConcurrency);
  const catalog = updateCatalog();

  router.post('/analyze', ctx.requireAuth('viewer'), async (req: Request, res) => {
    const clientLeft = whenClientLeaves(res);
    const query = parseInput(analyzeQuerySchema, req.query, 'analyze query');
    const type = String(req.headers['content-type'] ?? '');
    if (type.startsWith('multipart/')) {
      throw new AppError(415, 'unsupported_media_type', 'Send the file itself as the request body (Content-Type: application/octet-stream), not a multipart form.');
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) throw new AppError(413, 'payload_too_large', `The upload is larger than ${Math.round(maxBytes / 1024 ** 2)} MiB.`);
    const principal = res.locals.principal!;
    if (query.deviceId !== undefined) {
      if (principal.role !== 'admin') throw new AppError(403, 'forbidden', 'Attaching a log to a device needs the admin role.');
      if (!(await ctx.storage.devices.getRow(query.deviceId))) throw new AppError(404, 'not_found', `No device with id ${query.deviceId}.`);
    }

    const name = basename(query.name.replace(/\\/g, '/'));
    const release = analyses.tryAcquire();
    if (!release) {
      throw new AppError(429, 'overloaded', `${analyses.max} log analyses are running, the most this server runs at once; retry after the delay given in Retry-After.`, undefined, {
        'Retry-After': String(BUSY_RETRY_SECONDS),
      });
    }
    // The slot is held until the answer is out or the client has gone.
    res.once('close', release);
    // Authenticated and given a slot: the upload is now read at the parser's pace, not held to REQUEST_TIMEOUT.
    liftRequestDeadline(req);
    const upload = await analyzeUpload(uploadBody(req, ctx.config.requestTimeoutMs, clientLeft), name, limits, clientLeft).catch((err: unknown) => {
      if (!clientLeft.aborted) throw err;
      // Nobody is left to answer, and a cancelled upload is no server fault.
      ctx.logger.info({ file: name, ip: clientIp(req) }, 'log upload to /analyze stopped: the client closed the connection');
      return null;
    });
    if (!upload) return;
    const fleet = options.fleet?.() ?? null;

    let attached: AnalyzeResult['attached'] = null;
    let detail: DeviceDetail | null = null;
    if (query.deviceId !== undefined) {
      const ingest = options.ingest?.();
      if (!ingest) throw new AppError(503, 'internal', 'Attaching is not available on this server.');
      const report = await attachReport(ctx, query.deviceId, upload.facts);
      const outcome = await ingest.submit({ report, rawBody: JSON.stringify(report), deviceId: query.deviceId, receivedAt: ctx.clock.now() });
      if (outcome.status === 'failed' || outcome.status === 'conflict') throw new AppError(500, 'internal', 'The result could not be stored on the device; nothing was kept.');
      await ctx.admin.audit({ name: principalName(principal), ip: clientIp(req) }, 'device.attach_log', `device:${query.deviceId}`, { file: name, reportId: report.reportId });
      attached = { deviceId: query.deviceId, reportId: report.reportId, outcome: outcome.status };
      detail = fleet ? await fleet.devices.detail(query.deviceId) : null;
    }
    detail ??= await analyzedDetail(upload.facts, name, fleet, catalog);
    res.json({ source: { name, bytes: upload.bytes, zip: upload.zip }, skipped: upload.skipped, parse: upload.facts.parse, detail, attached } satisfies AnalyzeResult);
  });

  return router;
}

/** Aborted when the connection closes before the answer is out: the client has left, so its upload is not read on. */
function whenClientLeaves(res: Response): AbortSignal {
  const left = new AbortController();
  const leave = () => {
    if (!res.writableFinished) left.abort(new AppError(400, 'invalid_request', 'The client closed the connection before its upload was read.'));
  };
  // Gone already while its credentials were checked: the close event has passed.
  if (res.destroyed) leave();
  else res.once('close', leave);
  return left.signal;
}

/** The parsed facts as the device detail view shows a device: open failures, clusters, and the repair the engine recommends. */
async function analyzedDetail(parsed: ParsedLogFacts, name: string, fleet: Fleet | null, catalog: ReturnType<typeof updateCatalog>): Promise<DeviceDetail> {
  const state: DeviceState = {
    id: `upload:${name}`,
    hostname: name,
    osBuild: parsed.device.osBuild ?? null,
    lastSeenAt: new Date(0).toISOString(),
    packages: parsed.packages,
    failures: parsed.failures,
    corruption: parsed.corruption,
    scans: parsed.scans,
    hotfixes: [],
  };
  const facts = new DeviceFacts(state, catalog);
  const clusters = fleet ? new Map((await fleet.clusters.list()).map((cluster) => [cluster.family, cluster])) : new Map();
  const subject = deviceSubject(facts, (family) => clusters.get(family)?.versions ?? []);
  const donors = new Map<string, Donor[]>();
  if (fleet && subject.sourceMissingEvidence && facts.build) {
    for (const family of subject.families) {
      if (clusters.has(family.family)) donors.set(family.family, await clusterDonors(fleet, family.family, facts.build.major));
    }
  }
  const settings = fleet ? await fleet.settings.get() : null;
  return {
    device: { id: state.id, hostname: name, osBuild: state.osBuild, servicingStack: parsed.device.servicingStack ?? null },
    packages: parsed.packages,
    failures: parsed.failures.map((failure) => ({ ...failure, hresultInfo: lookupHresult(failure.hresult), open: facts.openFailures.includes(failure) })),
    corruption: parsed.corruption.map((item) => ({ ...item, open: facts.openCorruption.includes(item) })),
    scans: parsed.scans,
    hotfixes: [],
    kbs: Object.fromEntries([...facts.kbStates.keys()].sort().map((kb) => [kb, facts.kbStatus(kb)])),
    compliance: [],
    clusters: [...deviceClusterFacts(facts).keys()].sort(),
    remediation: recommendRemediation(subject, { catalog, donors, repairSource: settings?.repairSource ?? null }),
  };
}

/** Healthy donors the fleet already found for a family's cluster, kept to the uploaded machine's OS build. */
async function clusterDonors(fleet: Fleet, family: string, osMajor: number): Promise<Donor[]> {
  // Typed with the protocol schema, so the fleet's cluster answer and the dashboard's parser cannot drift apart.
  const cluster: ClusterDetail | null = await fleet.clusters.detail(family, { limit: 1, cursor: null });
  const seen = new Map<string, Donor>();
  for (const step of cluster?.remediation ?? []) {
    for (const donor of step.donors ?? []) if (donor.osBuild?.startsWith(`${osMajor}.`)) seen.set(donor.deviceId, donor);
  }
  return [...seen.values()];
}

/** A report of the device carrying the uploaded log's facts; the device's installed-update list is kept. */
async function attachReport(ctx: PlatformContext, deviceId: string, parsed: ParsedLogFacts): Promise<Report> {
  const stored = await ctx.storage.devices.get(deviceId);
  if (!stored) throw new AppError(404, 'not_found', `No device with id ${deviceId}.`);
  const { device } = stored;
  const osBuild = parsed.device.osBuild ?? device.osBuild ?? undefined;
  const candidate = {
    schemaVersion: 1,
    reportId: `analyze-${randomUUID()}`,
    generatedAt: new Date(ctx.clock.now()).toISOString(),
    ...(device.lastSequence !== null ? { sequence: device.lastSequence + 1 } : {}),
    device: {
      id: device.id,
      hostname: device.hostname,
      ...(osBuild ? { osBuild } : {}),
      ...(parsed.device.servicingStack ? { servicingStack: parsed.device.servicingStack } : {}),
    },
    packages: parsed.packages,
    failures: parsed.failures,
    corruption: parsed.corruption,
    scans: parsed.scans,
    hotfixes: stored.hotfixes,
    parse: parsed.parse,
  };
  const result = parseReport(candidate);
  if (!result.ok) throw new AppError(400, 'invalid_report', 'The parsed log does not fit in a report (too many records).', result.issues);
  return result.report;
}
