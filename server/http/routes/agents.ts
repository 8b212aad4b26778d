// Agent routes: enrollment (secret → device key, or a re-enrollment waiting for an admin), its poll, and report ingest.
import express, { Router, type Request } from 'express';
import type * as z from 'zod';
import {
  enrollmentPollRequestSchema,
  enrollRequestSchema,
  type EnrollmentPending,
  type EnrollRequest,
  type EnrollResponse,
  type ReportAccepted,
} from '../../../protocol/api';
import { parseReport, REPORT_SCHEMA_VERSION } from '../../../protocol/report';
import { iso } from '../../../protocol/units';
import { AppError, isStorageFull } from '../../errors';
import type { IngestQueue } from '../../ingest/ingest-queue';
import type { RateLimiter } from '../../security/rate-limiter';
import type { TokenBuckets } from '../../security/token-buckets';
import { bearerToken } from '../../security/authenticator';
import { ENROLLMENT_POLL_SECONDS, EnrollmentService } from '../../security/enrollment';
import { hashCredential } from '../../security/secrets';
import { MAX_GENERATED_AHEAD_MS } from '../../storage/device-state';
import { clientIp } from '../auth-guard';
import type { PlatformContext } from '../context';
import { parseInput } from '../validate';

export interface AgentLimits {
  /** Failed enrollment attempts and unknown pickup tokens, per client address. */
  enroll: RateLimiter;
  /** Reports per device. */
  reports: TokenBuckets;
}

export function agentsRouter(ctx: PlatformContext, ingest: IngestQueue, limits: AgentLimits): Router {
  const router = Router();
  const enrollment = new EnrollmentService(ctx.storage, ctx.clock, ctx.admin, ctx.config.enrollPendingTtlMs);
  const enrollLimiter = limits.enroll;

  /**
   * The body of an enrollment call from `ip`: 429 while the address has too many failed attempts, and a
   * body that does not parse counts as one more.
   */
  const parseFromAddress = <S extends z.ZodType>(schema: S, body: unknown, what: string, ip: string): z.output<S> => {
    const wait = enrollLimiter.retryAfter(ip);
    if (wait > 0) {
      throw new AppError(429, 'rate_limited', 'Too many failed enrollment attempts from this address; retry later.', undefined, {
        'Retry-After': String(wait),
      });
    }
    try {
      return parseInput(schema, body, what);
    } catch (err) {
      enrollLimiter.hit(ip);
      throw err;
    }
  };

  // Only failed attempts count, so a whole site behind one NAT address can enroll at once while
  // guessing secrets from one address is cut off.
  router.post('/agents/enroll', express.json({ limit: '16kb' }), async (req, res) => {
    const ip = clientIp(req);
    const body: EnrollRequest = parseFromAddress(enrollRequestSchema, req.body, 'enrollment request', ip);
    const secret = await ctx.storage.credentials.useEnrollmentSecret(hashCredential(body.secret), ctx.clock.now());
    if (!secret) {
      enrollLimiter.hit(ip);
      throw new AppError(401, 'invalid_secret', 'The enrollment secret is unknown, revoked or expired.');
    }
    const outcome = await enrollment.enroll({ deviceId: body.deviceId, hostname: body.hostname, pickupToken: body.pickupToken, secretId: secret.id, ip });
    if (outcome.kind === 'enrolled') {
      ctx.logger.info({ deviceId: body.deviceId, hostname: body.hostname, secretId: secret.id }, 'device enrolled');
      res.status(201).json({ deviceKey: outcome.deviceKey } satisfies EnrollResponse);
      return;
    }
    // An enrolled device id keeps its key: whoever holds the fleet secret must not take it over.
    const { request } = outcome;
    ctx.logger.warn(
      { deviceId: body.deviceId, hostname: body.hostname, secretId: secret.id, requestId: request.id, ip },
      're-enrollment of an enrolled device waits for an admin',
    );
    const pending: EnrollmentPending = {
      status: 'pending',
      requestId: request.id,
      expiresAt: iso(request.expiresAt),
      retryAfterSeconds: ENROLLMENT_POLL_SECONDS,
      ...(outcome.pickupToken !== undefined ? { pickupToken: outcome.pickupToken } : {}),
    };
    res.status(202).set('Retry-After', String(ENROLLMENT_POLL_SECONDS)).json(pending);
  });

  /** The agent's side of a waiting re-enrollment: its outcome, and once approved the key, to the pickup token's holder only. */
  router.post('/agents/enroll/poll', express.json({ limit: '4kb' }), async (req, res) => {
    const ip = clientIp(req);
    const { pickupToken } = parseFromAddress(enrollmentPollRequestSchema, req.body, 'enrollment poll', ip);
    const answer = await enrollment.poll(pickupToken, ip);
    if (!answer) {
      enrollLimiter.hit(ip);
      throw new AppError(404, 'not_found', 'No enrollment request belongs to this pickup token.');
    }
    if (answer.status === 'pending') res.set('Retry-After', String(answer.retryAfterSeconds));
    res.json(answer);
  });

  /** The device key is checked before the body is read, so unauthenticated clients cannot make the server parse megabytes. */
  const authenticateDevice: express.RequestHandler = async (req, res, next) => {
    try {
      const key = bearerToken(req.headers.authorization);
      if (!key) throw new AppError(401, 'invalid_device_key', 'Send the device key as Authorization: Bearer KEY (from enrollment).');
      const info = await ctx.storage.credentials.findDeviceKey(hashCredential(key));
      if (!info) throw new AppError(401, 'invalid_device_key', 'The device key is unknown or revoked; enroll the device again.');
      // Counted before the body is read: a flooding key costs a map lookup per request, not a parse.
      const wait = limits.reports.take(info.deviceId);
      if (wait > 0) {
        throw new AppError(
          429,
          'rate_limited',
          `Device ${info.deviceId} sends reports faster than ${ctx.config.reportsPerDevicePerMinute} a minute (after a burst of ${ctx.config.reportBurstPerDevice}); retry after the delay given in Retry-After.`,
          undefined,
          { 'Retry-After': String(wait) },
        );
      }
      res.locals.deviceId = info.deviceId;
      res.locals.keyId = info.id;
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
    const receivedAt = ctx.clock.now();
    if (Date.parse(result.report.generatedAt) > receivedAt + MAX_GENERATED_AHEAD_MS) {
      throw new AppError(400, 'invalid_report', 'The report was generated more than 24 hours ahead of the server clock; check the device clock.', [
        { path: 'generatedAt', message: `${result.report.generatedAt} is more than 24 h after the server time ${iso(receivedAt)}` },
      ]);
    }
    const keyId = res.locals.keyId as number;
    const outcome = await ingest.submit({ report: result.report, rawBody, deviceId, keyId, receivedAt });
    switch (outcome.status) {
      case 'duplicate':
        res.status(200).json({ reportId: outcome.reportId, duplicate: true } satisfies ReportAccepted);
        return;
      case 'conflict':
        throw new AppError(409, 'conflict', outcome.message);
      case 'refused':
        throw new AppError(400, 'invalid_report', 'The report is not plausible against the stored state of the device.', [
          { path: outcome.path, message: outcome.message },
        ]);
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
