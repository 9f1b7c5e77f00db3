/** The closed set of failures the HTTP layer knows how to explain to a client. */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'gone'
  | 'conflict'
  | 'idempotency_key_reused'
  | 'spool_full'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'database_unavailable'
  | 'shutting_down'
  | 'provider_failed'
  | 'internal';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `messages.0.role`; empty for the body as a whole. */
  path: string;
  message: string;
}

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly errors: FieldError[] | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: { errors?: FieldError[]; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function validationError(errors: FieldError[]): AppError {
  const first = errors[0];
  const detail = first ? `${first.path || 'body'}: ${first.message}` : 'the request body is invalid';
  return new AppError('validation_failed', `${detail}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, { errors });
}

/**
 * Errors that mean "the database cannot be reached or does not answer in time right now", as opposed to a
 * bad statement: what makes capture spool a lead and other routes answer 503.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 08xxx connection exceptions, 57P0x operator intervention (shutdown), 53300 too many connections,
    // 57014 statement cancelled (statement_timeout), 55P03 lock not available (lock_timeout).
    if (/^08/.test(code) || /^57P0/.test(code) || ['53300', '57014', '55P03'].includes(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'database_timeout'].includes(code)) return true;
    // A Unix socket that is not there: the server is not running (its TCP twin is ECONNREFUSED).
    if (code === 'ENOENT' && (error as { syscall?: unknown }).syscall === 'connect') return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated|connection is closed|Cannot use a pool after calling end|Query read timeout|Client has encountered a connection error/i.test(
    error.message,
  );
}
