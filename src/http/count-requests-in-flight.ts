import type { RequestHandler } from 'express';
import type { RequestsInFlight } from '../shared/requests-in-flight.ts';

/** Counts every request from its start until its response is finished or its connection closed (`close` fires either way, once). */
export function countRequestsInFlight(inFlight: RequestsInFlight): RequestHandler {
  return (_req, res, next) => {
    inFlight.enter();
    res.once('close', () => inFlight.leave());
    next();
  };
}
