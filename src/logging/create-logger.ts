import { pino, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

/**
 * Personal data and secrets never reach the logs: these paths are censored wherever they appear one or two
 * levels deep (request headers, lead objects, provider errors).
 */
export const REDACTED_PATHS = [
  'email',
  'phone',
  'name',
  'token',
  'password',
  'secret',
  'apiKey',
  'authorization',
  'webhookUrl',
  'teamLink',
  '*.teamLink',
  'notices[*].teamLink',
  'fields.notices[*].teamLink',
  'botToken',
  'accessToken',
  '*.email',
  '*.phone',
  '*.name',
  '*.token',
  '*.password',
  '*.pass',
  '*.secret',
  '*.apiKey',
  '*.authorization',
  '*.webhookUrl',
  '*.botToken',
  '*.accessToken',
  '*.full_name',
  '*.phone_number',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["webhook-signature"]',
  'config.adminApiKey',
  'err.config',
  'err.original',
  'err.request',
  'err.response',
];

export type { Logger };

export interface LoggerOptions {
  level: string;
  /** `pretty` for a terminal (see chooseLogFormat); JSON lines otherwise. Redaction applies to both. */
  format?: 'json' | 'pretty';
  destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions): Logger {
  // pino redacts and serializes before the line reaches the stream: pino-pretty only re-formats censored JSON.
  // It runs in this thread (not as a pino transport), so a line written just before exit is not lost.
  const destination =
    options.format === 'pretty'
      ? pinoPretty({
          destination: options.destination ?? 1,
          // Not pinoPretty.isColorSupported: it reads this thread's stdout, and the worker thread's is never a TTY.
          colorize: options.destination === undefined && process.env['NO_COLOR'] === undefined,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
          sync: false,
        })
      : undefined;
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Library errors carry whole clients and requests (connection settings, headers): log only what helps.
      serializers: { err: serializeError },
      // URLs of webhooks and bot tokens can sit inside error messages from client libraries.
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubSecrets(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    // Asynchronous logging keeps the event loop off the disk on the capture hot path.
    destination ?? options.destination ?? pino.destination({ sync: false }),
  );
}

function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: scrubSecrets(String(error)) };
  const extra = error as Error & { code?: unknown; kind?: unknown; providerCode?: unknown; cause?: unknown };
  return {
    type: error.name,
    message: scrubSecrets(error.message),
    ...(extra.code !== undefined ? { code: String(extra.code) } : {}),
    ...(extra.kind !== undefined ? { kind: String(extra.kind) } : {}),
    ...(extra.providerCode !== undefined ? { providerCode: String(extra.providerCode) } : {}),
    ...(error.stack ? { stack: scrubSecrets(error.stack) } : {}),
    ...(extra.cause instanceof Error ? { cause: serializeError(extra.cause) } : {}),
  };
}

/** Removes bot tokens, webhook paths and URL credentials from free text (error messages). */
export function scrubSecrets(text: string): string {
  return (
    text
      .replace(/\/bot\d+:[A-Za-z0-9_-]+/g, '/bot[redacted]')
      // A team link's token is a credential for its lead (claim, respond): never in a log.
      .replace(/\/l\/[A-Za-z0-9_-]{40,}/g, '/l/[redacted]')
      .replace(/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g, 'hooks.slack.com/services/[redacted]')
      .replace(/\/services\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+/g, '/services/[redacted]')
      .replace(/(access_token=)[^&\s"]+/g, '$1[redacted]')
      .replace(/(\/\/[^:/\s]+:)[^@/\s]+@/g, '$1[redacted]@')
  );
}
