import { ChannelError } from '../channel.ts';

/*
 * SMTP replies (RFC 5321): 4yz is a transient failure, 5yz a permanent one. 421 (service closing), 450/451
 * (mailbox busy, local error, greylisting) and 452 (storage) are the usual 4yz. 503 "bad sequence of
 * commands" is the exception among 5yz: it reports the session's state, not the message, so a new
 * connection can succeed (nodemailer's own isPermanentResponseCode makes the same call).
 */
const TRANSIENT_5XX = new Set([503]);

/** Errors raised before or instead of an SMTP reply where trying again later can work. */
const TRANSIENT_CODES = new Set([
  'ETIMEDOUT',
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'EPROTOCOL',
  'EMAXLIMIT',
  'EABORT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Configuration mistakes (bad credentials, no recipients, TLS the server cannot do): every retry would fail
 * the same way, so they are permanent and surface at once as a dead letter and an alert.
 */
const PERMANENT_CODES = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'EENVELOPE', 'EMESSAGE', 'ETLS', 'EREQUIRETLS']);

interface SmtpErrorFields {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
}

function fieldsOf(error: unknown): SmtpErrorFields {
  return typeof error === 'object' && error !== null ? (error as SmtpErrorFields) : {};
}

/** The server's reply line, trimmed: it explains a rejection (`5.1.1 unknown user`) and holds no secrets. */
function replyText(response: unknown): string {
  return typeof response === 'string' ? response.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
}

/** Translates a nodemailer error into a ChannelError: SMTP reply codes first, then nodemailer/socket codes. */
export function classifySmtpError(error: unknown): ChannelError {
  const { code, responseCode, response } = fieldsOf(error);
  if (typeof responseCode === 'number' && responseCode >= 400 && responseCode < 600) {
    const providerCode = `SMTP ${responseCode}`;
    const reply = replyText(response);
    const message = `SMTP server replied ${reply === '' ? String(responseCode) : reply}`;
    const permanent = responseCode >= 500 && !TRANSIENT_5XX.has(responseCode);
    return new ChannelError(permanent ? 'permanent' : 'transient', message, { providerCode, cause: error });
  }
  if (typeof code === 'string' && PERMANENT_CODES.has(code)) {
    return new ChannelError('permanent', `SMTP send failed: ${code}`, { providerCode: code, cause: error });
  }
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) {
    return new ChannelError('transient', `SMTP send failed: ${code}`, { providerCode: code, cause: error });
  }
  // Unknown failures are retried: backoff and the attempt limit still end them in the dead letters.
  const label = typeof code === 'string' ? code : 'unknown';
  return new ChannelError('transient', `SMTP send failed: ${label}`, { providerCode: label, cause: error });
}
