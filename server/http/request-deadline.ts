// Slow-body guard: a request must arrive whole within REQUEST_TIMEOUT of its head, else 408 and the connection is closed.
import type { Request, RequestHandler } from 'express';
import type { Socket } from 'node:net';
import { envelope } from '../errors';

/**
 * How long a body still arriving after its answer (401, 413, 429 …) is read and dropped before the
 * connection is closed. Reading on a moment lets a client that is mid-send see the answer instead of
 * a reset; closing then frees the socket of a client that declared a body it never sends.
 */
export const UNREAD_BODY_GRACE_MS = 1_000;

/** Clears a request's deadline; set while the request has one. */
const deadlines = new WeakMap<Request, () => void>();

/**
 * Every request, whoever sends it, gets the deadline: node's own `requestTimeout` is one value for the
 * whole server, so the deadline is kept here per request, and a route whose upload is paced by the
 * server rather than the client lifts it with `liftRequestDeadline` once it has authenticated the
 * caller. The timer is not cleared by an early answer (401, 413): a client still dripping a body it
 * was told to stop sending is disconnected, at the latest at the deadline and normally after
 * `UNREAD_BODY_GRACE_MS`.
 */
export function requestDeadline(timeoutMs: number): RequestHandler {
  return (req, res, next) => {
    // Held here: node may have let go of req.socket by the time the answer is out.
    const socket = req.socket;
    res.once('finish', () => {
      if (!req.complete) closeAfterGrace(req, socket, Math.min(UNREAD_BODY_GRACE_MS, timeoutMs));
    });
    if (req.complete) {
      next();
      return;
    }
    const timer = setTimeout(() => {
      if (req.complete) return;
      if (res.headersSent) {
        socket.destroy();
        return;
      }
      res.setHeader('Connection', 'close');
      res.once('finish', () => socket.destroy());
      res
        .status(408)
        .json(envelope('invalid_request', `The request did not arrive within ${Math.round(timeoutMs / 1000)} s; nothing from it was stored. Send it again.`));
    }, timeoutMs);
    // A request answered before its body arrived is not closed when its connection is: the socket's close clears it then.
    const clear = () => {
      clearTimeout(timer);
      deadlines.delete(req);
      socket.off('close', clear);
    };
    deadlines.set(req, clear);
    req.once('end', clear);
    req.once('close', clear);
    socket.once('close', clear);
    next();
  };
}

/**
 * Lifts the deadline of a request whose body the server reads at its own pace (a log upload to
 * /analyze, read as fast as the parser goes). Only for callers already authenticated: an anonymous
 * request keeps its deadline, so it cannot hold a connection open by declaring a huge body.
 */
export function liftRequestDeadline(req: Request): void {
  deadlines.get(req)?.();
}

/** The answer is out but the body is not: drop what still arrives for a moment, then close the connection. */
function closeAfterGrace(req: Request, socket: Socket, graceMs: number): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), graceMs);
  const clear = () => {
    clearTimeout(timer);
    socket.off('close', clear);
  };
  req.once('end', clear);
  socket.once('close', clear);
  req.resume();
}
