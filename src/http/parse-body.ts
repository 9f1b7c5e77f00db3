import express, { type RequestHandler } from 'express';
import { AppError } from '../shared/app-error.ts';

export const MAX_BODY_BYTES = 64 * 1024;

const jsonParser = express.json({ limit: MAX_BODY_BYTES, strict: true, type: ['application/json', 'application/*+json'] });
const formParser = express.urlencoded({ limit: MAX_BODY_BYTES, extended: true, parameterLimit: 200 });

/**
 * Accepts JSON and HTML-form bodies up to 64 KB; anything else is 415. Runs the size check before the type
 * check so a 70 KB body of any type gets its 413.
 */
export function parseCaptureBody(): RequestHandler {
  return (req, res, next) => {
    const length = Number(req.get('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) {
      next(new AppError('payload_too_large', 'the body is larger than 64 KB; send less data'));
      return;
    }
    if (req.is(['application/json', 'application/*+json'])) {
      jsonParser(req, res, next);
      return;
    }
    if (req.is('application/x-www-form-urlencoded')) {
      formParser(req, res, next);
      return;
    }
    next(new AppError('unsupported_media_type', 'send application/json or application/x-www-form-urlencoded'));
  };
}

export function isFormSubmission(contentType: string | undefined): boolean {
  return (contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}
