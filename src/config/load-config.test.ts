import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.ts';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', ADMIN_API_KEY: 'an-admin-key-0123456789' };

function failure(env: Record<string, string>, options?: { requireAdminKey: boolean }): string {
  try {
    loadConfig(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('loadConfig', () => {
  it('when nothing is set, then the defaults make a working embedded set-up', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      role: 'all',
      runsApi: true,
      runsWorkers: true,
      databaseUrl: undefined,
      port: 3000,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:3000',
      databaseTimeoutMs: 3_000,
      spool: { dir: '.leadline/spool', maxBytes: 256 * 1024 * 1024 },
      sla: { hotMs: 900_000, warmMs: 3_600_000, coldMs: 86_400_000, warningMs: 1_800_000 },
      digest: { cron: '0 8 * * *', tz: 'UTC' },
      faultPoint: undefined,
    });
  });

  it.each([
    ['DIGEST_CRON', { ROLE: 'api', DIGEST_CRON: 'every morning' }],
    ['DIGEST_TZ', { ROLE: 'api', DIGEST_TZ: 'Mars/Olympus' }],
    ['BUSINESS_HOURS', { BUSINESS_HOURS: 'Mon-Fri 09:00-25:00' }],
    ['BUSINESS_TZ', { BUSINESS_HOURS: 'Mon-Fri 09:00-17:00', BUSINESS_TZ: 'Nowhere/City' }],
    ['SLA_HOT', { SLA_HOT: 'soon' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['SPOOL_MAX_MB', { SPOOL_MAX_MB: '0' }],
    ['FAULT_POINT', { FAULT_POINT: 'somewhere' }],
    ['RETENTION_RAW', { RETENTION_RAW: 'a month' }],
    ['RETENTION_LOGS', { RETENTION_LOGS: '10m' }],
    ['RETENTION_DEAD', { RETENTION_DEAD: '-1d' }],
  ])('when %s is bad, then start-up stops with one line naming it, for every role', (variable, env) => {
    const message = failure({ ...base, ...env });
    expect(message.startsWith(`${variable}: `)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('when the retention settings are unset, then raw payloads and dead letters stay 30 days and logs 180 days', () => {
    expect(loadConfig({}).retention).toEqual({ rawMs: 30 * 86_400_000, logsMs: 180 * 86_400_000, deadMs: 30 * 86_400_000 });
  });

  it('when a retention is set to a duration or to 0, then it is read in milliseconds and 0 keeps the rows for ever', () => {
    expect(loadConfig({ RETENTION_RAW: '7d', RETENTION_LOGS: '0', RETENTION_DEAD: '12h' }).retention).toEqual({
      rawMs: 7 * 86_400_000,
      logsMs: 0,
      deadMs: 12 * 3_600_000,
    });
    expect(failure({ RETENTION_LOGS: '10m' })).toBe(
      'RETENTION_LOGS: must be at least 1h (e.g. 30d, 180d), or 0 to keep the rows for ever (fix the variable in the environment or .env and start again)',
    );
  });

  it('when two settings only work together and one is missing, then the line names the missing one', () => {
    expect(failure({ EMAIL_HOST: 'smtp.example.com', LEAD_ALERT_EMAIL: 'a@example.com' })).toMatch(/^EMAIL_FROM: /);
    expect(failure({ TELEGRAM_BOT_TOKEN: '123:abc' })).toMatch(/^TELEGRAM_CHAT_ID: /);
    expect(failure({ DATABASE_URL: base.DATABASE_URL })).toMatch(/^ADMIN_API_KEY: /);
  });

  it('when a script loads the config, then it needs no admin key; a worker never needs one', () => {
    expect(loadConfig({ DATABASE_URL: base.DATABASE_URL }, { requireAdminKey: false }).adminApiKey).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: base.DATABASE_URL, ROLE: 'worker' }).runsApi).toBe(false);
  });

  it('when a secret is too short, then the message names the variable but never repeats the value', () => {
    const message = failure({ ...base, METRICS_TOKEN: 'tiny-secret' });
    expect(message).toMatch(/^METRICS_TOKEN: /);
    expect(message).not.toContain('tiny-secret');
  });

  it('when SPOOL_DIR is off, then there is no spool', () => {
    expect(loadConfig({ ...base, SPOOL_DIR: 'off' }).spool).toBeUndefined();
  });
});
