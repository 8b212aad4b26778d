// Slow-body guard: a request must arrive whole within REQUEST_TIMEOUT of its head, else 408 and the connection is closed.
import type { Request, RequestHandler } from 'express';
import { envelope } from '../errors';

/**
 * Node's own `requestTimeout` is one value for the whole server, which would also cut off log uploads
 * to /analyze: those are paced by the parser reading them (minutes for a large log), not by the
 * client. So the deadline is kept here, per request, with `exempt` naming the streamed uploads.
 * The timer is not cleared by an early answer (401, 413): a client still dripping a body it was
 * told to stop sending is disconnected at the deadline all the same.
 */
export function requestDeadline(timeoutMs: number, exempt: (req: Request) => boolean): RequestHandler {
  return (req, res, next) => {
    if (req.complete || exempt(req)) {
      next();
      return;
    }
    const timer = setTimeout(() => {
      if (req.complete) return;
      if (res.headersSent) {
        req.socket.destroy();
        return;
      }
      res.setHeader('Connection', 'close');
      res.once('finish', () => req.socket.destroy());
      res
        .status(408)
        .json(envelope('invalid_request', `The request did not arrive within ${Math.round(timeoutMs / 1000)} s; nothing from it was stored. Send it again.`));
    }, timeoutMs);
    const clear = () => clearTimeout(timer);
    req.once('end', clear);
    req.once('close', clear);
    next();
  };
}
