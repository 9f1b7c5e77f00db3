import path from 'node:path';
import { z } from 'zod';
import { FAULT_POINTS, type FaultPointSetting } from '../shared/fault-point.ts';
import { parseDuration } from './parse-duration.ts';

/** A duration such as `90s`, `15m`, `1h`, read into milliseconds. */
const durationMs = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; use e.g. 90s, 15m, 1h` });
        return z.NEVER;
      }
      return ms;
    });

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  );

const port = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const value = Number(text);
      if (!Number.isInteger(value) || value < 0 || value > 65_535) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a port number (0-65535)` });
        return z.NEVER;
      }
      return value;
    });

const positiveInt = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const value = Number(text);
      if (!Number.isInteger(value) || value <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a positive whole number` });
        return z.NEVER;
      }
      return value;
    });

const booleanFlag = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const value = text.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(value)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(value)) return false;
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a boolean (true/false)` });
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
      const secret = entry.slice(separator + 1).trim();
      if (separator <= 0 || secret === '' || !/^[a-z0-9_-]{1,64}$/.test(source)) {
        ctx.addIssue({ code: 'custom', message: 'expected entries like zapier=whsec_… separated by commas' });
        return z.NEVER;
      }
      secrets.set(source, [...(secrets.get(source) ?? []), secret]);
    }
    return secrets;
  });

const envSchema = z.object({
  ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  NODE_ENV: z.string().default('development'),
  DATABASE_URL: optionalText,
  LEADLINE_HOME: z.string().default('.leadline'),
  PORT: port('3000'),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: url,
  ADMIN_API_KEY: optionalText.refine((key) => key === undefined || key.length >= 16, 'must be at least 16 characters'),
  CORS_ORIGINS: commaList,
  FRONTEND_URL: optionalText,
  SLACK_WEBHOOK_URL: url,
  SLACK_MIN_INTERVAL: z
    .string()
    .default('1s')
    .transform((text, ctx) => {
      if (text.trim() === '0') return 0;
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; use e.g. 1s, or 0 for no pacing` });
        return z.NEVER;
      }
      return ms;
    }),
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
  TELEGRAM_MIN_INTERVAL: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return undefined;
      if (text.trim() === '0') return 0;
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; use e.g. 1s, 3s` });
        return z.NEVER;
      }
      return ms;
    }),
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
  SLA_SWEEP_INTERVAL: durationMs('30s'),
  BUSINESS_HOURS: optionalText,
  BUSINESS_TZ: z.string().default('UTC'),
  DIGEST_CRON: z.string().default('0 8 * * *'),
  DIGEST_TZ: z.string().default('UTC'),
  SCORING_URGENT_WORDS: commaList,
  RATE_LIMIT_PER_MINUTE: positiveInt('100'),
  TRUST_PROXY: optionalText,
  RELAY_POLL_INTERVAL: durationMs('1s'),
  DATABASE_POOL_SIZE: positiveInt('10'),
  DATABASE_TIMEOUT: durationMs('3s'),
  SPOOL_DIR: optionalText,
  SPOOL_MAX_MB: positiveInt('256'),
  FAULT_POINT: z.enum(FAULT_POINTS).optional(),
  FAULT_POINT_AT: positiveInt('1'),
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, 'must be a two-letter country code such as US or GB')
    .optional(),
  SUPABASE_URL: url,
  SUPABASE_ANON_KEY: optionalText,
  METRICS_TOKEN: optionalText.refine((token) => token === undefined || token.length >= 16, 'must be at least 16 characters'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  role: 'api' | 'worker' | 'all';
  runsApi: boolean;
  runsWorkers: boolean;
  databaseUrl: string | undefined;
  homeDir: string;
  port: number;
  host: string;
  /** Base URL used in links (alerts, admin panel); defaults to http://HOST:PORT. */
  publicUrl: string;
  adminApiKey: string | undefined;
  corsOrigins: string[];
  slack: { webhookUrl: string; minIntervalMs: number } | undefined;
  email:
    | {
        host: string;
        port: number;
        secure: boolean;
        /** Refuse to send unless the server upgrades to TLS (STARTTLS) on a non-TLS port. */
        requireTls: boolean;
        user?: string;
        pass?: string;
        from: string;
        alertTo: string[];
        digestTo: string[];
      }
    | undefined;
  telegram: { botToken: string; chatId: string; apiRoot: string; minIntervalMs: number | undefined } | undefined;
  meta: {
    appSecret: string | undefined;
    verifyToken: string | undefined;
    accessToken: string | undefined;
    graphUrl: string;
    formIds: string[];
    pollIntervalMs: number;
  };
  webhookSecrets: Map<string, string[]>;
  sla: { hotMs: number; warmMs: number; coldMs: number; warningMs: number; sweepIntervalMs: number; businessHours: string | undefined; businessTz: string };
  digest: { cron: string; tz: string };
  /** Extra words that make a lead hot, on top of the built-in ones. */
  scoring: { urgentWords: string[] };
  rateLimitPerMinute: number;
  trustProxy: string | undefined;
  relayPollIntervalMs: number;
  databasePoolSize: number;
  /** How long an HTTP request waits for the database; capture then spools the lead, other routes answer 503. */
  databaseTimeoutMs: number;
  /** Where capture keeps leads while the database is away; undefined = off. */
  spool: { dir: string; maxBytes: number } | undefined;
  /** The fault suite's crash point (never set in production). */
  faultPoint: FaultPointSetting | undefined;
  /** Country used to read phone numbers written without a +country prefix. */
  defaultPhoneRegion: string | undefined;
  supabase: { url: string; anonKey: string } | undefined;
  /** When set, `/metrics` needs `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  logLevel: Env['LOG_LEVEL'];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the environment once into a typed, validated config. A bad value throws a ConfigError whose message
 * is one line naming the variable, never its value when the variable holds a secret.
 */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(environment);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`${variable}: ${issue?.message ?? 'invalid'} (fix the variable in the environment or .env and start again)`);
  }
  const env = parsed.data;

  const emailTo = env.LEAD_ALERT_EMAIL;
  if (env.EMAIL_HOST && !env.EMAIL_FROM) throw new ConfigError('EMAIL_FROM: required when EMAIL_HOST is set');
  if (env.EMAIL_HOST && emailTo.length === 0) {
    throw new ConfigError('LEAD_ALERT_EMAIL: required when EMAIL_HOST is set (comma list of recipients; LEAD_DIGEST_EMAIL defaults to it)');
  }
  if (Boolean(env.TELEGRAM_BOT_TOKEN) !== Boolean(env.TELEGRAM_CHAT_ID)) {
    throw new ConfigError(`${env.TELEGRAM_BOT_TOKEN ? 'TELEGRAM_CHAT_ID' : 'TELEGRAM_BOT_TOKEN'}: set both TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID, or neither`);
  }
  if (env.SUPABASE_URL && !env.SUPABASE_ANON_KEY) throw new ConfigError('SUPABASE_ANON_KEY: required when SUPABASE_URL is set');
  if (env.DATABASE_URL && !env.ADMIN_API_KEY && env.NODE_ENV !== 'test') {
    throw new ConfigError('ADMIN_API_KEY: required when DATABASE_URL is set (at least 16 random characters)');
  }
  if (env.DATABASE_URL && !/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
    throw new ConfigError('DATABASE_URL: must start with postgres:// or postgresql://');
  }

  const corsOrigins = [...env.CORS_ORIGINS, ...(env.FRONTEND_URL ? [env.FRONTEND_URL] : [])].map((origin) => origin.replace(/\/$/, ''));
  const publicHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;

  return {
    role: env.ROLE,
    runsApi: env.ROLE !== 'worker',
    runsWorkers: env.ROLE !== 'api',
    databaseUrl: env.DATABASE_URL,
    homeDir: env.LEADLINE_HOME,
    port: env.PORT,
    host: env.HOST,
    publicUrl: env.PUBLIC_URL ?? `http://${publicHost}:${env.PORT}`,
    adminApiKey: env.ADMIN_API_KEY,
    corsOrigins,
    slack: env.SLACK_WEBHOOK_URL ? { webhookUrl: env.SLACK_WEBHOOK_URL, minIntervalMs: env.SLACK_MIN_INTERVAL } : undefined,
    email: env.EMAIL_HOST
      ? {
          host: env.EMAIL_HOST,
          port: env.EMAIL_PORT,
          secure: env.EMAIL_SECURE,
          requireTls: env.EMAIL_REQUIRE_TLS,
          ...(env.EMAIL_USER ? { user: env.EMAIL_USER } : {}),
          ...(env.EMAIL_PASS ? { pass: env.EMAIL_PASS } : {}),
          from: env.EMAIL_FROM ?? '',
          alertTo: emailTo,
          digestTo: env.LEAD_DIGEST_EMAIL.length > 0 ? env.LEAD_DIGEST_EMAIL : emailTo,
        }
      : undefined,
    telegram:
      env.TELEGRAM_BOT_TOKEN && env.TELEGRAM_CHAT_ID
        ? { botToken: env.TELEGRAM_BOT_TOKEN, chatId: env.TELEGRAM_CHAT_ID, apiRoot: env.TELEGRAM_API_ROOT, minIntervalMs: env.TELEGRAM_MIN_INTERVAL }
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
    scoring: { urgentWords: env.SCORING_URGENT_WORDS },
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    trustProxy: env.TRUST_PROXY,
    relayPollIntervalMs: env.RELAY_POLL_INTERVAL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    databaseTimeoutMs: env.DATABASE_TIMEOUT,
    spool:
      env.SPOOL_DIR?.toLowerCase() === 'off'
        ? undefined
        : { dir: env.SPOOL_DIR ?? path.join(env.LEADLINE_HOME, 'spool'), maxBytes: env.SPOOL_MAX_MB * 1024 * 1024 },
    faultPoint: env.FAULT_POINT ? { point: env.FAULT_POINT, at: env.FAULT_POINT_AT } : undefined,
    defaultPhoneRegion: env.DEFAULT_PHONE_REGION,
    supabase: env.SUPABASE_URL && env.SUPABASE_ANON_KEY ? { url: env.SUPABASE_URL, anonKey: env.SUPABASE_ANON_KEY } : undefined,
    metricsToken: env.METRICS_TOKEN,
    logLevel: env.LOG_LEVEL,
  };
}
