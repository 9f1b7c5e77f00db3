import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { logOncePerCause } from '../logging/log-once-per-cause.ts';
import { AppError, isDatabaseUnavailable, type ErrorCode, type FieldError } from '../shared/app-error.ts';

const PROBLEMS: Record<ErrorCode, { status: number; title: string }> = {
  validation_failed: { status: 400, title: 'The request is invalid' },
  unauthorized: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  gone: { status: 410, title: 'Gone' },
  conflict: { status: 409, title: 'Conflict' },
  idempotency_key_reused: { status: 422, title: 'Idempotency-Key reused with another request' },
  spool_full: { status: 503, title: 'Service unavailable' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  rate_limited: { status: 429, title: 'Too many requests' },
  database_unavailable: { status: 503, title: 'Service unavailable' },
  shutting_down: { status: 503, title: 'Service unavailable' },
  provider_failed: { status: 502, title: 'Provider failed' },
  internal: { status: 500, title: 'Internal server error' },
};

export function sendProblem(res: Response, error: AppError): void {
  const { status, title } = PROBLEMS[error.code];
  if (error.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  const body: { type: string; title: string; status: number; detail: string; code: ErrorCode; errors?: FieldError[]; request_id?: string } =
    {
      type: `https://leadline.dev/problems/${error.code.replace(/_/g, '-')}`,
      title,
      status,
      detail: error.message,
      code: error.code,
    };
  if (error.errors) body.errors = error.errors;
  const requestId = res.getHeader('x-request-id');
  if (typeof requestId === 'string') body.request_id = requestId;
  res.status(status).type('application/problem+json').send(JSON.stringify(body));
}

/** Body-parser failures carry a `type`; map them to our codes. */
function fromBodyParser(error: unknown): AppError | undefined {
  const type = (error as { type?: unknown }).type;
  switch (type) {
    case 'entity.too.large':
      return new AppError('payload_too_large', 'the body is larger than 64 KB; send less data');
    case 'entity.parse.failed':
      return new AppError('validation_failed', 'the body is not valid JSON', { errors: [{ path: '', message: 'malformed JSON' }] });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError('unsupported_media_type', 'send the body as UTF-8');
    case 'parameters.too.many':
      return new AppError('validation_failed', 'too many form fields', { errors: [{ path: '', message: 'too many fields' }] });
    default:
      break;
  }
  // Any other parser refusal (a body that does not decompress as its Content-Encoding says, an aborted
  // upload) says what it is by its status: the client's fault, never a 500.
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  if (status === 413) return new AppError('payload_too_large', 'the body is larger than 64 KB; send less data');
  if (status === 415)
    return new AppError('unsupported_media_type', 'send application/json or application/x-www-form-urlencoded, uncompressed or gzip');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError('validation_failed', 'the body could not be read; check its Content-Encoding and Content-Length', {
      errors: [{ path: '', message: 'unreadable body' }],
    });
  }
  return undefined;
}

/** The one place errors become HTTP: problem+json, never a stack trace. */
export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  // An outage fails every request the same way: one line per cause, not one per request.
  const logUnavailable = logOncePerCause(logger, 'requests fail: the database cannot be reached or does not answer in time');
  return (error: unknown, req, res, _next) => {
    let problem: AppError;
    if (error instanceof AppError) problem = error;
    else if (isDatabaseUnavailable(error)) {
      problem = new AppError('database_unavailable', 'the database cannot be reached or did not answer in time; retry shortly', {
        retryAfterSeconds: 5,
        cause: error,
      });
    } else
      problem =
        fromBodyParser(error) ??
        new AppError('internal', 'something went wrong on our side; retry, and report the request id if it persists', { cause: error });

    if (problem.code === 'internal') {
      logger.error({ err: error, requestId: res.getHeader('x-request-id'), method: req.method, path: req.path }, 'request failed');
    }
    if (problem.code === 'database_unavailable' || problem.code === 'spool_full') logUnavailable(error, { path: req.path });
    if (res.headersSent) {
      res.end();
      return;
    }
    sendProblem(res, problem);
  };
}
