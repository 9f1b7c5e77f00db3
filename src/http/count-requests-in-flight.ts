import type { RequestHandler } from 'express';
import type { CaptureLoad } from '../shared/capture-load.ts';

/** Counts every request from its start until its response is finished or its connection closed (`close` fires either way, once). */
export function countRequestsInFlight(load: CaptureLoad): RequestHandler {
  return (_req, res, next) => {
    load.enter();
    res.once('close', () => load.leave());
    next();
  };
}
