import type { FieldError } from '../../shared/app-error.ts';
import { parseRetryAfter } from './retry-delay.ts';

/** What one attempt to deliver a submission came to. */
export type Answer =
  /** 201 stored, 200 a repeat of a stored one, 202 kept in the server's spool: the lead is safe, forget it here. */
  | { kind: 'acknowledged'; id: string }
  /** The server will never take this body (400, 413, 415, 422): keep nothing, show why. */
  | { kind: 'refused'; detail: string; errors: FieldError[] }
  /** A network error, 408, 425, 429 or 5xx (or an answer we cannot read): keep it and send it again later. */
  | { kind: 'retry'; retryAfterMs: number | undefined };

function fieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (item): item is FieldError =>
      typeof item === 'object' && item !== null && typeof item.path === 'string' && typeof item.message === 'string',
  );
}

/**
 * Sorts an HTTP answer into acknowledged, refused or retry. A success counts only with the lead's id in
 * it: a captive portal or a proxy that answers 200 with its own page must not make the browser drop a lead
 * the server never saw.
 */
export function classifyAnswer(status: number, body: unknown, retryAfter: string | null, nowMs: number): Answer {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  if ((status === 200 || status === 201 || status === 202) && typeof fields['id'] === 'string') {
    return { kind: 'acknowledged', id: fields['id'] };
  }
  if (status >= 400 && status < 500 && ![408, 425, 429].includes(status)) {
    const detail = typeof fields['detail'] === 'string' ? fields['detail'] : `the server refused the submission (${status})`;
    return { kind: 'refused', detail, errors: fieldErrors(fields['errors']) };
  }
  return { kind: 'retry', retryAfterMs: parseRetryAfter(retryAfter, nowMs) };
}
