// Report history: a device's accepted reports (newest first) and the raw body of a stored report.
import { Router } from 'express';
import * as z from 'zod';
import type { ReportSummaryDto } from '../../../protocol/api';
import { iso } from '../../../protocol/units';
import { AppError } from '../../errors';
import type { PlatformContext } from '../context';
import { parseInput } from '../validate';

const historyQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export function reportHistoryRouter(ctx: PlatformContext): Router {
  const router = Router();
  const viewer = ctx.requireAuth('viewer');

  router.get('/devices/:id/reports', viewer, async (req, res) => {
    const { limit } = parseInput(historyQuerySchema, req.query, 'report history query');
    const deviceId = String(req.params.id);
    if (!(await ctx.storage.devices.getRow(deviceId))) throw new AppError(404, 'not_found', `No device with id ${deviceId}.`);
    const items = await ctx.storage.reports.listForDevice(deviceId, limit);
    res.json({ items: items.map((r): ReportSummaryDto => ({ ...r, receivedAt: iso(r.receivedAt) })) });
  });

  /** The report exactly as the agent sent it, while its body is retained (only reports that changed state keep one). */
  router.get('/reports/:reportId', viewer, async (req, res) => {
    const reportId = String(req.params.reportId);
    const body = await ctx.storage.reports.body(reportId);
    if (body === null) {
      const known = await ctx.storage.reports.has(reportId);
      throw new AppError(404, 'not_found', known ? `Report ${reportId} has no stored body (unchanged or past retention).` : `No report ${reportId}.`);
    }
    res.type('application/json').send(body);
  });

  return router;
}
