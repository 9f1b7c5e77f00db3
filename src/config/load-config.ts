import { isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { DEFAULT_WEBHOOK_EVENTS, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../events/event-types.ts';
import { WEBHOOK_ENDPOINT_NAME } from '../shared/channel-names.ts';
import { classifyIpAddress, isLoopbackHostname } from '../shared/classify-ip-address.ts';
import { ConfigError } from '../shared/config-error.ts';
import { FAULT_POINTS } from '../shared/fault-point.ts';
import { parseBusinessHours } from '../time/parse-business-hours.ts';
import { isValidTimeZone } from '../time/zoned-time.ts';
import { parseDuration } from './parse-duration.ts';

export { ConfigError };

/*
 * The environment, read once into a typed config. Every variable is checked here, for every role, before
 * anything starts: a bad value stops start-up with one line naming the variable (never its value when it is
 * a secret). Cross-field rules live in the schema's superRefine; the Config type is what the schema outputs.
 */

/** A duration such as `90s`, `15m`, `1h`, read into milliseconds; `0` only where `allowZero`. */
const duration = (fallback: string | undefined, options: { allowZero?: boolean } = {}) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const text = raw === undefined || raw.trim() === '' ? fallback : raw;
      if (text === undefined) return undefined;
      if (options.allowZero && text.trim() === '0') return 0;
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${text}" is not a duration; use e.g. 90s, 15m, 1h${options.allowZero ? ', or 0 for none' : ''}`,
        });
        return z.NEVER;
      }
      return ms;
    });
const durationMs = (fallback: string, options: { allowZero?: boolean } = {}) => duration(fallback, options).transform((ms) => ms ?? 0);

/**
 * How long a class of rows is kept (`30d`, `12h`), at least an hour, or `0` to keep it for ever. Shorter
 * windows would race the work that still reads the rows (a paused delivery, a replay, a webhook retry).
 */
const MIN_RETENTION_MS = 3_600_000;
const retention = (fallback: string) =>
  duration(fallback, { allowZero: true }).transform((ms, ctx) => {
    const value = ms ?? 0;
    if (value !== 0 && value < MIN_RETENTION_MS) {
      ctx.addIssue({ code: 'custom', message: 'must be at least 1h (e.g. 30d, 180d), or 0 to keep the rows for ever' });
      return z.NEVER;
    }
    return value;
  });

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const secret = (minLength: number) =>
  optionalText.refine((value) => value === undefined || value.length >= minLength, `must be at least ${minLength} characters`);

const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );

const wholeNumber = (fallback: string, range: { min: number; max: number }, what: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const text = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
      const value = Number(text);
      if (!Number.isInteger(value) || value < range.min || value > range.max) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not ${what}` });
        return z.NEVER;
      }
      return value;
    });
const port = (fallback: string) => wholeNumber(fallback, { min: 0, max: 65_535 }, 'a port number (0-65535)');
const positiveInt = (fallback: string) => wholeNumber(fallback, { min: 1, max: Number.MAX_SAFE_INTEGER }, 'a positive whole number');

/** The words a flag may be spelled with; undefined for anything else. */
function parseFlag(raw: string): boolean | undefined {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
  return undefined;
}

const booleanFlag = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const value = parseFlag(raw ?? fallback);
      if (value !== undefined) return value;
      ctx.addIssue({ code: 'custom', message: `"${raw}" is not a boolean (true/false)` });
      return z.NEVER;
    });

/**
 * `WORKER_THREAD`: `auto` (the default) gives ROLE=all's workers a thread of their own only where the machine
 * has the cores to run it beside the API and Postgres. Measured on 2 cores (docs/benchmarks.md, "One event
 * loop or two"), the second thread lost on every count: capture p50 at 500 req/s 8.3 vs 5.8 ms, 245 vs
 * 187 MB peak RSS, throughput no better; it only competes for the CPU the API and Postgres need.
 */
export const WORKER_THREAD_MIN_CORES = 4;

const workerThreadFlag = z
  .string()
  .optional()
  .transform((raw, ctx): boolean | 'auto' => {
    if ((raw ?? 'auto').trim().toLowerCase() === 'auto') return 'auto';
    const value = parseFlag(raw ?? '');
    if (value !== undefined) return value;
    ctx.addIssue({ code: 'custom', message: `"${raw}" is not auto, true or false` });
    return z.NEVER;
  });

const url = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined || value.trim() === '') return undefined;
    try {
      return new URL(value.trim()).toString().replace(/\/$/, '');
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not a valid URL' });
      return z.NEVER;
    }
  });

const timeZone = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((raw, ctx) => {
      const zone = raw === undefined || raw.trim() === '' ? fallback : raw.trim();
      if (!isValidTimeZone(zone)) {
        ctx.addIssue({ code: 'custom', message: `"${zone}" is not an IANA time zone (e.g. UTC, Europe/Berlin)` });
        return z.NEVER;
      }
      return zone;
    });

/** `zapier=whsec_abc,hubspot=whsec_def` → Map(source → secrets). A source may repeat to rotate secrets. */
const webhookSecrets = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const secrets = new Map<string, string[]>();
    for (const entry of (value ?? '').split(',').map((item) => item.trim())) {
      if (entry === '') continue;
      const separator = entry.indexOf('=');
      const source = entry.slice(0, separator).trim().toLowerCase();
      const secretValue = entry.slice(separator + 1).trim();
      if (separator <= 0 || secretValue === '' || !/^[a-z0-9_-]{1,64}$/.test(source)) {
        ctx.addIssue({ code: 'custom', message: 'expected entries like zapier=whsec_… separated by commas' });
        return z.NEVER;
      }
      secrets.set(source, [...(secrets.get(source) ?? []), secretValue]);
    }
    return secrets;
  });

/** One outbound webhook receiver: its name (the channel is `webhook:<name>`) and URL (a secret: never logged). */
export interface OutboundWebhookEndpoint {
  name: string;
  url: string;
}

/** More receivers than this is a fan-out service's job, not a lead tool's: each one is a queue and a worker. */
const MAX_WEBHOOK_ENDPOINTS = 20;

/**
 * `crm=https://…,zap=https://…` → endpoints. An entry starts where a comma is followed by `name=`, so a
 * comma inside a URL's query survives unless it is followed by something that looks like a name and `=`
 * (write it as %2C then).
 */
const outboundWebhooks = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const endpoints: OutboundWebhookEndpoint[] = [];
    const text = (value ?? '').trim();
    if (text === '') return endpoints;
    for (const entry of text.split(/,(?=\s*[A-Za-z0-9][A-Za-z0-9_-]*\s*=)/).map((item) => item.trim())) {
      if (entry === '') continue;
      const separator = entry.indexOf('=');
      const name = entry.slice(0, separator).trim().toLowerCase();
      const rawUrl = entry.slice(separator + 1).trim();
      if (separator <= 0 || rawUrl === '' || !WEBHOOK_ENDPOINT_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected entries like crm=https://… separated by commas (names: a-z, 0-9, - and _, up to 32 characters)',
        });
        return z.NEVER;
      }
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        ctx.addIssue({ code: 'custom', message: `${name}: the URL is not valid` });
        return z.NEVER;
      }
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
        ctx.addIssue({ code: 'custom', message: `${name}: the URL must start with https://` });
        return z.NEVER;
      }
      if (endpoints.some((endpoint) => endpoint.name === name)) {
        ctx.addIssue({ code: 'custom', message: `${name} is named twice; give each endpoint its own name` });
        return z.NEVER;
      }
      url.hash = '';
      endpoints.push({ name, url: url.toString() });
    }
    if (endpoints.length > MAX_WEBHOOK_ENDPOINTS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_WEBHOOK_ENDPOINTS} endpoints` });
      return z.NEVER;
    }
    return endpoints;
  });

/** Standard Webhooks: `whsec_` and the base64 of 24 to 64 random bytes. */
const WHSEC = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * One or more `whsec_…` secrets, separated by spaces or commas (base64 holds neither). Every one signs
 * every request, so a secret is rotated by adding the new one, switching the receiver, removing the old.
 * The error never repeats a value.
 */
const outboundWebhookSecrets = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const secrets: string[] = [];
    const entries = (value ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
    for (const [index, entry] of entries.entries()) {
      const base64 = WHSEC.exec(entry)?.[1];
      const bytes = base64 === undefined ? 0 : Buffer.from(base64, 'base64').length;
      if (bytes < 24 || bytes > 64) {
        ctx.addIssue({
          code: 'custom',
          message: `${entries.length > 1 ? `secret ${index + 1} ` : ''}is not a Standard Webhooks secret (whsec_ and the base64 of 24 to 64 random bytes, e.g. from: node -e "console.log('whsec_' + require('crypto').randomBytes(32).toString('base64'))")`,
        });
        return z.NEVER;
      }
      if (!secrets.includes(entry)) secrets.push(entry);
    }
    return secrets;
  });

const outboundWebhookEvents = commaList.transform((names, ctx) => {
  if (names.length === 0) return [...DEFAULT_WEBHOOK_EVENTS];
  const events: WebhookEventType[] = [];
  for (const name of names) {
    if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(name)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${name}" is not an event outbound webhooks can receive; use some of ${WEBHOOK_EVENT_TYPES.join(', ')}`,
      });
      return z.NEVER;
    }
    if (!events.includes(name as WebhookEventType)) events.push(name as WebhookEventType);
  }
  return events;
});

const environmentSchema = z.object({
  ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  WORKER_THREAD: workerThreadFlag,
  DATABASE_URL: optionalText.refine(
    (value) => value === undefined || /^postgres(ql)?:\/\//.test(value),
    'must start with postgres:// or postgresql://',
  ),
  LEADLINE_HOME: z.string().default('.leadline'),
  PORT: port('3000'),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: url,
  ADMIN_API_KEY: secret(16),
  CORS_ORIGINS: commaList,
  FRONTEND_URL: optionalText,
  SLACK_WEBHOOK_URL: url,
  SLACK_MIN_INTERVAL: durationMs('1s', { allowZero: true }),
  EMAIL_HOST: optionalText,
  EMAIL_PORT: port('587'),
  EMAIL_USER: optionalText,
  EMAIL_PASS: optionalText,
  EMAIL_FROM: optionalText,
  EMAIL_SECURE: booleanFlag('false'),
  EMAIL_REQUIRE_TLS: booleanFlag('false'),
  LEAD_ALERT_EMAIL: commaList,
  LEAD_DIGEST_EMAIL: commaList,
  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_CHAT_ID: optionalText,
  TELEGRAM_MIN_INTERVAL: duration(undefined, { allowZero: true }),
  TELEGRAM_API_ROOT: url.transform((value) => value ?? 'https://api.telegram.org'),
  META_APP_SECRET: optionalText,
  META_VERIFY_TOKEN: optionalText,
  META_ACCESS_TOKEN: optionalText,
  META_GRAPH_URL: url.transform((value) => value ?? 'https://graph.facebook.com/v24.0'),
  META_FORM_IDS: commaList,
  META_POLL_INTERVAL: durationMs('5m'),
  WEBHOOK_SECRETS: webhookSecrets,
  SLA_HOT: durationMs('15m'),
  SLA_WARM: durationMs('1h'),
  SLA_COLD: durationMs('24h'),
  SLA_WARNING: durationMs('30m'),
  SLA_SWEEP_INTERVAL: durationMs('1s'),
  BUSINESS_HOURS: optionalText,
  BUSINESS_TZ: timeZone('UTC'),
  DIGEST_CRON: optionalText.transform((value) => value ?? '0 8 * * *'),
  DIGEST_TZ: timeZone('UTC'),
  SCORING_URGENT_WORDS: commaList,
  RATE_LIMIT_PER_MINUTE: positiveInt('100'),
  TRUST_PROXY: optionalText,
  RELAY_POLL_INTERVAL: durationMs('1s'),
  OVERLOAD_ALERT_DELAY: durationMs('30s', { allowZero: true }),
  DATABASE_POOL_SIZE: positiveInt('10'),
  DATABASE_TIMEOUT: durationMs('3s'),
  SPOOL_DIR: optionalText,
  SPOOL_MAX_MB: positiveInt('256'),
  FAULT_POINT: z.enum(FAULT_POINTS).optional(),
  FAULT_POINT_AT: positiveInt('1'),
  DEFAULT_PHONE_REGION: optionalText.refine(
    (value) => value === undefined || /^[A-Z]{2}$/.test(value),
    'must be a two-letter country code such as US or GB',
  ),
  SUPABASE_URL: url,
  SUPABASE_ANON_KEY: optionalText,
  OUTBOUND_WEBHOOKS: outboundWebhooks,
  OUTBOUND_WEBHOOK_SECRET: outboundWebhookSecrets,
  OUTBOUND_WEBHOOK_EVENTS: outboundWebhookEvents,
  OUTBOUND_ALLOW_PRIVATE: booleanFlag('false'),
  ASSIGNMENT: z.enum(['round_robin', 'off'], 'must be round_robin or off').default('off'),
  METRICS_TOKEN: secret(16),
  METRICS_PORT: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined || raw.trim() === '') return undefined;
      const value = Number(raw.trim());
      if (!Number.isInteger(value) || value < 1 || value > 65_535) {
        ctx.addIssue({ code: 'custom', message: `"${raw}" is not a port number (1-65535)` });
        return z.NEVER;
      }
      return value;
    }),
  RETENTION_RAW: retention('30d'),
  RETENTION_LOGS: retention('180d'),
  RETENTION_DEAD: retention('30d'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
});

/** Every variable the config reads: `.env.example`, docs/configuration.md and compose.yaml are checked against it. */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

type Environment = z.output<typeof environmentSchema>;

/** What a variable's value must satisfy together with the others; each issue names one variable. */
function checkTogether(env: Environment, ctx: z.RefinementCtx, options: LoadOptions): void {
  const issue = (variable: keyof Environment, message: string) => ctx.addIssue({ code: 'custom', path: [variable], message });
  if (env.EMAIL_HOST && !env.EMAIL_FROM) issue('EMAIL_FROM', 'required when EMAIL_HOST is set');
  if (env.EMAIL_HOST && env.LEAD_ALERT_EMAIL.length === 0) {
    issue('LEAD_ALERT_EMAIL', 'required when EMAIL_HOST is set (comma list of recipients; LEAD_DIGEST_EMAIL defaults to it)');
  }
  if (Boolean(env.TELEGRAM_BOT_TOKEN) !== Boolean(env.TELEGRAM_CHAT_ID)) {
    issue(
      env.TELEGRAM_BOT_TOKEN ? 'TELEGRAM_CHAT_ID' : 'TELEGRAM_BOT_TOKEN',
      'set both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, or neither',
    );
  }
  if (env.SUPABASE_URL && !env.SUPABASE_ANON_KEY) issue('SUPABASE_ANON_KEY', 'required when SUPABASE_URL is set');
  if (options.requireAdminKey && env.DATABASE_URL && !env.ADMIN_API_KEY && env.ROLE !== 'worker') {
    issue('ADMIN_API_KEY', 'required when DATABASE_URL is set (at least 16 random characters)');
  }
  if (env.BUSINESS_HOURS) {
    try {
      parseBusinessHours(env.BUSINESS_HOURS, env.BUSINESS_TZ);
    } catch (error) {
      const message = (error as Error).message;
      issue(message.startsWith('BUSINESS_TZ') ? 'BUSINESS_TZ' : 'BUSINESS_HOURS', message.replace(/^BUSINESS_(HOURS|TZ): /, ''));
    }
  }
  if (env.OUTBOUND_WEBHOOKS.length > 0 && env.OUTBOUND_WEBHOOK_SECRET.length === 0) {
    issue(
      'OUTBOUND_WEBHOOK_SECRET',
      'required when OUTBOUND_WEBHOOKS is set (one whsec_… secret; several, space-separated, while rotating)',
    );
  }
  if (!env.OUTBOUND_ALLOW_PRIVATE) {
    for (const endpoint of env.OUTBOUND_WEBHOOKS) {
      const refusal = privateEndpointRefusal(endpoint);
      if (refusal) {
        issue('OUTBOUND_WEBHOOKS', refusal);
        break;
      }
    }
  }
  try {
    // The parser pg-boss's scheduler uses, with the same options, so what passes here is what it accepts.
    CronExpressionParser.parse(env.DIGEST_CRON, { tz: env.DIGEST_TZ, strict: false });
  } catch (error) {
    issue(
      'DIGEST_CRON',
      `"${env.DIGEST_CRON}" is not a cron expression (${(error as Error).message.split('\n')[0] ?? 'invalid'}); use e.g. "0 8 * * *"`,
    );
  }
}

/**
 * Why an endpoint is refused before any DNS lookup: plain http, a literal non-public IP address, or a
 * localhost name. Host names are checked again after resolution, at start-up and before every connection.
 */
function privateEndpointRefusal(endpoint: OutboundWebhookEndpoint): string | undefined {
  const url = new URL(endpoint.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const allow = 'set OUTBOUND_ALLOW_PRIVATE=true to allow receivers on your own network';
  const kind = isLoopbackHostname(host) ? 'loopback' : isIP(host) ? classifyIpAddress(host) : undefined;
  if (kind)
    return `${endpoint.name} points at a ${kind} address (${host}): outbound webhooks refuse loopback, private, link-local and metadata addresses; ${allow}`;
  if (url.protocol !== 'https:')
    return `${endpoint.name}: use an https:// URL (plain http only with OUTBOUND_ALLOW_PRIVATE=true, for receivers on your own network)`;
  return undefined;
}

function toConfig(env: Environment) {
  const corsOrigins = [...env.CORS_ORIGINS, ...(env.FRONTEND_URL ? [env.FRONTEND_URL] : [])].map((origin) => origin.replace(/\/$/, ''));
  const publicHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  return {
    role: env.ROLE,
    runsApi: env.ROLE !== 'worker',
    runsWorkers: env.ROLE !== 'api',
    /**
     * ROLE=all runs the worker role in a thread of its own (one process still), so it never delays the API;
     * by default only with WORKER_THREAD_MIN_CORES cores or more, else on the API's event loop.
     */
    workerThread:
      env.ROLE === 'all' && (env.WORKER_THREAD === 'auto' ? os.availableParallelism() >= WORKER_THREAD_MIN_CORES : env.WORKER_THREAD),
    databaseUrl: env.DATABASE_URL,
    homeDir: env.LEADLINE_HOME,
    port: env.PORT,
    host: env.HOST,
    /** Base URL used in links (alerts, admin panel); defaults to http://HOST:PORT. */
    publicUrl: env.PUBLIC_URL ?? `http://${publicHost}:${env.PORT}`,
    adminApiKey: env.ADMIN_API_KEY,
    corsOrigins,
    slack: env.SLACK_WEBHOOK_URL ? { webhookUrl: env.SLACK_WEBHOOK_URL, minIntervalMs: env.SLACK_MIN_INTERVAL } : undefined,
    email: env.EMAIL_HOST
      ? {
          host: env.EMAIL_HOST,
          port: env.EMAIL_PORT,
          secure: env.EMAIL_SECURE,
          /** Refuse to send unless the server upgrades to TLS (STARTTLS) on a non-TLS port. */
          requireTls: env.EMAIL_REQUIRE_TLS,
          ...(env.EMAIL_USER ? { user: env.EMAIL_USER } : {}),
          ...(env.EMAIL_PASS ? { pass: env.EMAIL_PASS } : {}),
          from: env.EMAIL_FROM ?? '',
          alertTo: env.LEAD_ALERT_EMAIL,
          digestTo: env.LEAD_DIGEST_EMAIL.length > 0 ? env.LEAD_DIGEST_EMAIL : env.LEAD_ALERT_EMAIL,
        }
      : undefined,
    telegram:
      env.TELEGRAM_BOT_TOKEN && env.TELEGRAM_CHAT_ID
        ? {
            botToken: env.TELEGRAM_BOT_TOKEN,
            chatId: env.TELEGRAM_CHAT_ID,
            apiRoot: env.TELEGRAM_API_ROOT,
            minIntervalMs: env.TELEGRAM_MIN_INTERVAL,
          }
        : undefined,
    meta: {
      appSecret: env.META_APP_SECRET,
      verifyToken: env.META_VERIFY_TOKEN,
      accessToken: env.META_ACCESS_TOKEN,
      graphUrl: env.META_GRAPH_URL,
      formIds: env.META_FORM_IDS,
      pollIntervalMs: env.META_POLL_INTERVAL,
    },
    webhookSecrets: env.WEBHOOK_SECRETS,
    sla: {
      hotMs: env.SLA_HOT,
      warmMs: env.SLA_WARM,
      coldMs: env.SLA_COLD,
      warningMs: env.SLA_WARNING,
      sweepIntervalMs: env.SLA_SWEEP_INTERVAL,
      businessHours: env.BUSINESS_HOURS,
      businessTz: env.BUSINESS_TZ,
    },
    digest: { cron: env.DIGEST_CRON, tz: env.DIGEST_TZ },
    /** Extra words that make a lead hot, on top of the built-in ones. */
    scoring: { urgentWords: env.SCORING_URGENT_WORDS },
    /** `round_robin`: each new lead is assigned to the next active agent (docs/team.md). */
    assignment: env.ASSIGNMENT,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    trustProxy: env.TRUST_PROXY,
    relayPollIntervalMs: env.RELAY_POLL_INTERVAL,
    /**
     * How long alerts may wait while this process's API is overloaded (out of CPU with visitors waiting), so the
     * visitors get the CPU; 0 = alerts never wait for it. Only ROLE=all has both in one process.
     */
    overloadAlertDelayMs: env.OVERLOAD_ALERT_DELAY,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    /** How long an HTTP request waits for the database; capture then spools the lead, other routes answer 503. */
    databaseTimeoutMs: env.DATABASE_TIMEOUT,
    /** Where capture keeps leads while the database is away; undefined = off. */
    spool:
      env.SPOOL_DIR?.toLowerCase() === 'off'
        ? undefined
        : { dir: env.SPOOL_DIR ?? path.join(env.LEADLINE_HOME, 'spool'), maxBytes: env.SPOOL_MAX_MB * 1024 * 1024 },
    /** The fault suite's crash point (never set in production). */
    faultPoint: env.FAULT_POINT ? { point: env.FAULT_POINT, at: env.FAULT_POINT_AT } : undefined,
    /** Country used to read phone numbers written without a +country prefix. */
    defaultPhoneRegion: env.DEFAULT_PHONE_REGION,
    supabase: env.SUPABASE_URL && env.SUPABASE_ANON_KEY ? { url: env.SUPABASE_URL, anonKey: env.SUPABASE_ANON_KEY } : undefined,
    /** Signed outbound webhooks, one delivery channel `webhook:<name>` per endpoint; undefined = off. */
    outboundWebhooks:
      env.OUTBOUND_WEBHOOKS.length > 0
        ? {
            endpoints: env.OUTBOUND_WEBHOOKS,
            secrets: env.OUTBOUND_WEBHOOK_SECRET,
            events: env.OUTBOUND_WEBHOOK_EVENTS,
            /** Loopback, private, link-local and metadata addresses are refused unless this is set. */
            allowPrivate: env.OUTBOUND_ALLOW_PRIVATE,
          }
        : undefined,
    /** When set, `/metrics` needs `Authorization: Bearer <token>`. */
    metricsToken: env.METRICS_TOKEN,
    /** A ROLE=worker process serves /metrics and /health* here (it has no API listener otherwise). */
    metricsPort: env.METRICS_PORT,
    /** How long rows are kept before the daily prune removes them; 0 = for ever (docs/data-lifecycle.md). */
    retention: {
      /** Provider payloads (`raw_leads`), counted from their processing. */
      rawMs: env.RETENTION_RAW,
      /** Processed events with their delivery attempts and alert texts, and rendered digests. */
      logsMs: env.RETENTION_LOGS,
      /** Dead letters: deliveries that gave up and payloads that failed to ingest. */
      deadMs: env.RETENTION_DEAD,
    },
    logLevel: env.LOG_LEVEL,
    /**
     * `auto` until main() decides (pretty when stdout is a terminal, JSON otherwise) and writes the decision
     * here, so ROLE=all's worker thread, whose stdout is never a terminal, logs the same way.
     */
    logFormat: env.LOG_FORMAT as 'auto' | 'json' | 'pretty',
  };
}

interface LoadOptions {
  /** Scripts (replay, digest, migrate) serve no admin API and need no admin key. */
  requireAdminKey: boolean;
}

export function configSchema(options: LoadOptions = { requireAdminKey: true }) {
  return environmentSchema.superRefine((env, ctx) => checkTogether(env, ctx, options)).transform(toConfig);
}

export type Config = z.output<ReturnType<typeof configSchema>>;

/**
 * Reads the environment once into a typed, validated config. A bad value throws a ConfigError whose message
 * is one line naming the variable, never its value when the variable holds a secret.
 */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, options: LoadOptions = { requireAdminKey: true }): Config {
  const parsed = configSchema(options).safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`${variable}: ${issue?.message ?? 'invalid'} (fix the variable in the environment or .env and start again)`);
  }
  return parsed.data;
}

/**
 * The config of ROLE=all's worker thread: the worker role only, against the database and with the admin key
 * the API thread resolved (an embedded database's URL, a generated key), and no listener of its own (the API
 * thread serves its metrics and health).
 */
export function workerThreadConfig(config: Config, resolved: { databaseUrl: string; adminApiKey: string }): Config {
  return {
    ...config,
    role: 'worker',
    runsApi: false,
    runsWorkers: true,
    workerThread: false,
    databaseUrl: resolved.databaseUrl,
    adminApiKey: resolved.adminApiKey,
    metricsPort: undefined,
  };
}
