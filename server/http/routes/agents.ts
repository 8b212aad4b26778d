// Agent routes: enrollment (secret → device key) and report ingest (validated, queued, answered after commit).
import express, { Router, type Request } from 'express';
import { enrollRequestSchema, type EnrollRequest, type EnrollResponse, type ReportAccepted } from '../../../protocol/api';
import { parseReport, REPORT_SCHEMA_VERSION } from '../../../protocol/report';
import { AppError, isStorageFull } from '../../errors';
import type { IngestQueue } from '../../ingest/ingest-queue';
import type { RateLimiter } from '../../security/rate-limiter';
import { bearerToken } from '../../security/authenticator';
import { CREDENTIAL_PREFIX, generateCredential, hashCredential } from '../../security/secrets';
import { clientIp } from '../auth-guard';
import type { PlatformContext } from '../context';
import { parseInput } from '../validate';

export function agentsRouter(ctx: PlatformContext, ingest: IngestQueue, enrollLimiter: RateLimiter): Router {
  const router = Router();

  // Only failed attempts count, so a whole site behind one NAT address can enroll at once while
  // guessing secrets from one address is cut off.
  router.post('/agents/enroll', express.json({ limit: '16kb' }), async (req, res) => {
    const ip = clientIp(req);
    const wait = enrollLimiter.retryAfter(ip);
    if (wait > 0) {
      throw new AppError(429, 'rate_limited', 'Too many failed enrollment attempts from this address; retry later.', undefined, {
        'Retry-After': String(wait),
      });
    }
    let body: EnrollRequest;
    try {
      body = parseInput(enrollRequestSchema, req.body, 'enrollment request');
    } catch (err) {
      enrollLimiter.hit(ip);
      throw err;
    }
    const now = ctx.clock.now();
    const secret = await ctx.storage.credentials.useEnrollmentSecret(hashCredential(body.secret), now);
    if (!secret) {
      enrollLimiter.hit(ip);
      throw new AppError(401, 'invalid_secret', 'The enrollment secret is unknown, revoked or expired.');
    }
    const deviceKey = generateCredential(CREDENTIAL_PREFIX.deviceKey);
    await ctx.storage.credentials.issueDeviceKey({
      deviceId: body.deviceId,
      hostname: body.hostname,
      keyHash: hashCredential(deviceKey),
      secretId: secret.id,
      now,
    });
    ctx.logger.info({ deviceId: body.deviceId, hostname: body.hostname, secretId: secret.id }, 'device enrolled');
    res.status(201).json({ deviceKey } satisfies EnrollResponse);
  });

  /** The device key is checked before the body is read, so unauthenticated clients cannot make the server parse megabytes. */
  const authenticateDevice: express.RequestHandler = async (req, res, next) => {
    try {
      const key = bearerToken(req.headers.authorization);
      if (!key) throw new AppError(401, 'invalid_device_key', 'Send the device key as Authorization: Bearer KEY (from enrollment).');
      const info = await ctx.storage.credentials.findDeviceKey(hashCredential(key));
      if (!info) throw new AppError(401, 'invalid_device_key', 'The device key is unknown or revoked; enroll the device again.');
      res.locals.deviceId = info.deviceId;
      next();
    } catch (err) {
      next(err);
    }
  };

  const rawJson = express.raw({ type: ['application/json', 'application/*+json'], limit: ctx.config.reportBodyLimitBytes });

  router.post('/reports', authenticateDevice, rawJson, async (req: Request, res) => {
    if (!Buffer.isBuffer(req.body)) {
      throw new AppError(415, 'unsupported_media_type', 'Send the report as Content-Type: application/json.');
    }
    const rawBody = req.body.toString('utf8');
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawBody);
    } catch {
      throw new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
    }
    const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (typeof parsed === 'object' && parsed !== null && version !== undefined && version !== REPORT_SCHEMA_VERSION) {
      throw new AppError(400, 'unsupported_schema_version', `This server accepts Report schemaVersion ${REPORT_SCHEMA_VERSION}, not ${JSON.stringify(version)}.`);
    }
    const result = parseReport(parsed);
    if (!result.ok) throw new AppError(400, 'invalid_report', 'The report does not match Report v1.', result.issues);
    const deviceId = res.locals.deviceId as string;
    if (result.report.device.id !== deviceId) {
      throw new AppError(403, 'device_mismatch', `This device key belongs to device ${deviceId}, but the report is for ${result.report.device.id}.`);
    }
    const outcome = await ingest.submit({ report: result.report, rawBody, deviceId, receivedAt: ctx.clock.now() });
    switch (outcome.status) {
      case 'duplicate':
        res.status(200).json({ reportId: outcome.reportId, duplicate: true } satisfies ReportAccepted);
        return;
      case 'conflict':
        throw new AppError(409, 'conflict', outcome.message);
      case 'failed':
        // A full disk is the operator's to fix and the agent's to wait out: 503 storage_full, not 500.
        if (isStorageFull(outcome.error)) throw outcome.error;
        ctx.logger.error({ err: outcome.error, reportId: outcome.reportId, deviceId }, 'report ingest failed');
        throw new AppError(500, 'internal', 'The report could not be stored; nothing was kept, retry later.');
      default:
        res.status(202).json({ reportId: outcome.reportId, duplicate: false, outcome: outcome.status } satisfies ReportAccepted);
    }
  });

  return router;
}
