import type { RequestHandler } from 'express';
import type { RequestsInFlight } from '../shared/requests-in-flight.ts';

/**
 * Counts every request from its start until its response is finished or its connection closed (`close` fires
 * either way, once), then hands it on to `next` (the metrics' request timing).
 */
export function countRequestsInFlight(inFlight: RequestsInFlight, then: RequestHandler): RequestHandler {
  return (req, res, next) => {
    inFlight.enter();
    res.once('close', () => inFlight.leave());
    return then(req, res, next);
  };
}
