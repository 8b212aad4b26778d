// GET /devices (filtered, sorted, cursor pages), its CSV export, and /devices/:id.
import type { Request } from 'express';
import { deviceListQuerySchema, type DeviceListItem } from '../../../../protocol/fleet-api';
import { AppError } from '../../../errors';
import { CursorError } from '../../../fleet/read-models/devices';
import { parseInput } from '../../validate';
import type { FleetRoutes } from './index';

const CSV_COLUMNS: (keyof DeviceListItem)[] = ['id', 'hostname', 'osBuild', 'lastSeenAt', 'stale', 'failedKbs', 'hresults', 'corruptFamilies'];

/**
 * RFC 4180 field. A leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula;
 * so is a leading TAB or CR, which spreadsheets skip before reading what follows as a formula.
 */
function csvField(value: unknown): string {
  let text = Array.isArray(value) ? value.join(' ') : value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function deviceRoutes({ router, fleet, viewer }: FleetRoutes): void {
  const deviceQuery = (req: Request) => parseInput(deviceListQuerySchema, req.query, 'device query');

  router.get('/devices', viewer, async (req, res) => {
    const query = deviceQuery(req);
    try {
      res.json(await fleet.devices.list(query));
    } catch (err) {
      if (err instanceof CursorError) throw new AppError(400, 'invalid_request', err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  });
  router.get('/export/devices.csv', viewer, async (req, res) => {
    const query = { ...deviceQuery(req), limit: 500, cursor: undefined as string | undefined };
    res.type('text/csv').attachment('patchlens-devices.csv');
    res.write(`${CSV_COLUMNS.join(',')}\r\n`);
    for (;;) {
      const page = await fleet.devices.list(query);
      res.write(page.items.map((item) => `${CSV_COLUMNS.map((column) => csvField(item[column])).join(',')}\r\n`).join(''));
      if (!page.nextCursor) break;
      query.cursor = page.nextCursor;
    }
    res.end();
  });
  router.get('/devices/:id', viewer, async (req, res) => {
    const id = String(req.params.id);
    const detail = await fleet.devices.detail(id);
    if (!detail) throw new AppError(404, 'not_found', `No device with id ${id}.`);
    res.json(detail);
  });
}
