import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, WORKER_THREAD_MIN_CORES } from './load-config.ts';

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

  it('when OVERLOAD_ALERT_DELAY is unset, then alerts wait at most 30 s for an overload; a duration sets it and 0 turns the wait off', () => {
    expect(loadConfig({}).overloadAlertDelayMs).toBe(30_000);
    expect(loadConfig({ OVERLOAD_ALERT_DELAY: '5s' }).overloadAlertDelayMs).toBe(5_000);
    expect(loadConfig({ OVERLOAD_ALERT_DELAY: '0' }).overloadAlertDelayMs).toBe(0);
    expect(failure({ OVERLOAD_ALERT_DELAY: 'soon' })).toMatch(/OVERLOAD_ALERT_DELAY.*not a duration/);
  });

  it('when WORKER_THREAD is auto or unset, then ROLE=all has a worker thread only with enough cores; true and false force it', () => {
    const enoughCores = os.availableParallelism() >= WORKER_THREAD_MIN_CORES;
    expect(loadConfig({}).workerThread).toBe(enoughCores);
    expect(loadConfig({ WORKER_THREAD: 'auto' }).workerThread).toBe(enoughCores);
    expect(loadConfig({ WORKER_THREAD: 'true' }).workerThread).toBe(true);
    expect(loadConfig({ WORKER_THREAD: 'false' }).workerThread).toBe(false);
    expect(loadConfig({ ROLE: 'api', WORKER_THREAD: 'true' }).workerThread).toBe(false);
    expect(failure({ WORKER_THREAD: 'sometimes' })).toMatch(/WORKER_THREAD.*auto, true or false/);
  });

  it('when SPOOL_DIR is off, then there is no spool', () => {
    expect(loadConfig({ ...base, SPOOL_DIR: 'off' }).spool).toBeUndefined();
  });

  it('when ASSIGNMENT is unset, then it is off; round_robin turns it on; anything else stops start-up naming it', () => {
    expect(loadConfig(base).assignment).toBe('off');
    expect(loadConfig({ ...base, ASSIGNMENT: 'round_robin' }).assignment).toBe('round_robin');
    const message = failure({ ...base, ASSIGNMENT: 'random' });
    expect(message).toMatch(/^ASSIGNMENT: must be round_robin or off/);
    expect(message).not.toContain('\n');
  });

  describe('outbound webhooks', () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const rotated = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
    const webhooks = (env: Record<string, string>) => ({ ...base, OUTBOUND_WEBHOOK_SECRET: secret, ...env });

    it('when endpoints, secrets and events are set, then each endpoint is a channel with every secret and the chosen events', () => {
      const config = loadConfig(
        webhooks({
          OUTBOUND_WEBHOOKS: 'CRM=https://crm.example.com/hooks/leadline?token=a,b , zap=https://hooks.zapier.com/hooks/catch/1/abc/#frag',
          OUTBOUND_WEBHOOK_SECRET: ` ${secret}  ${rotated},${secret} `,
          OUTBOUND_WEBHOOK_EVENTS: 'lead.created, sla.breached,lead.created',
        }),
      );
      expect(config.outboundWebhooks).toEqual({
        endpoints: [
          { name: 'crm', url: 'https://crm.example.com/hooks/leadline?token=a,b' },
          { name: 'zap', url: 'https://hooks.zapier.com/hooks/catch/1/abc/' },
        ],
        secrets: [secret, rotated],
        events: ['lead.created', 'sla.breached'],
        allowPrivate: false,
      });
    });

    it('when OUTBOUND_WEBHOOK_EVENTS is not set, then webhooks get the lead events that are not bookkeeping', () => {
      expect(loadConfig(webhooks({ OUTBOUND_WEBHOOKS: 'crm=https://crm.example.com/in' })).outboundWebhooks?.events).toEqual([
        'lead.created',
        'lead.assigned',
        'lead.responded',
        'lead.status_changed',
        'sla.breached',
      ]);
      expect(loadConfig(base).outboundWebhooks).toBeUndefined();
    });

    it.each([
      ['OUTBOUND_WEBHOOKS', { OUTBOUND_WEBHOOKS: 'https://crm.example.com/in' }],
      ['OUTBOUND_WEBHOOKS', { OUTBOUND_WEBHOOKS: 'crm=not a url' }],
      ['OUTBOUND_WEBHOOKS', { OUTBOUND_WEBHOOKS: 'crm=ftp://crm.example.com/in' }],
      ['OUTBOUND_WEBHOOKS', { OUTBOUND_WEBHOOKS: 'crm=https://a.example.com/in,crm=https://b.example.com/in' }],
      ['OUTBOUND_WEBHOOKS', { OUTBOUND_WEBHOOKS: 'c.r.m=https://a.example.com/in' }],
      ['OUTBOUND_WEBHOOKS', { OUTBOUND_WEBHOOKS: 'crm=http://crm.example.com/in' }],
      ['OUTBOUND_WEBHOOK_EVENTS', { OUTBOUND_WEBHOOKS: 'crm=https://crm.example.com/in', OUTBOUND_WEBHOOK_EVENTS: 'notification.sent' }],
      ['OUTBOUND_ALLOW_PRIVATE', { OUTBOUND_ALLOW_PRIVATE: 'maybe' }],
    ])('when %s is bad, then start-up stops with one line naming it', (variable, env) => {
      const message = failure(webhooks(env));
      expect(message.startsWith(`${variable}: `)).toBe(true);
      expect(message).not.toContain('\n');
    });

    it('when a secret is missing or not a whsec_ secret of 24 to 64 bytes, then the line names OUTBOUND_WEBHOOK_SECRET and never the value', () => {
      expect(failure({ ...base, OUTBOUND_WEBHOOKS: 'crm=https://crm.example.com/in' })).toMatch(/^OUTBOUND_WEBHOOK_SECRET: required/);
      for (const bad of [
        'my-shared-secret-value',
        `whsec_${Buffer.alloc(16).toString('base64')}`,
        `whsec_${Buffer.alloc(65).toString('base64')}`,
        'whsec_!!!',
      ]) {
        const message = failure(
          webhooks({ OUTBOUND_WEBHOOKS: 'crm=https://crm.example.com/in', OUTBOUND_WEBHOOK_SECRET: `${secret} ${bad}` }),
        );
        expect(message).toMatch(/^OUTBOUND_WEBHOOK_SECRET: secret 2 is not a Standard Webhooks secret/);
        expect(message).not.toContain(bad);
        expect(message).not.toContain(secret);
      }
    });

    it.each([
      ['http://127.0.0.1:8080/hook', 'loopback address (127.0.0.1)'],
      ['https://[::1]/hook', 'loopback address (::1)'],
      ['https://[::ffff:127.0.0.1]/hook', 'loopback address (::ffff:7f00:1)'],
      ['https://localhost/hook', 'loopback address (localhost)'],
      ['https://10.1.2.3/hook', 'private address (10.1.2.3)'],
      ['https://169.254.169.254/latest/meta-data', 'metadata address (169.254.169.254)'],
      ['https://100.64.1.1/hook', 'cgnat address (100.64.1.1)'],
      ['https://[fd00::5]/hook', 'unique-local address (fd00::5)'],
    ])('when an endpoint is %s and OUTBOUND_ALLOW_PRIVATE is not set, then start-up stops naming both variables', (url, what) => {
      const message = failure(webhooks({ OUTBOUND_WEBHOOKS: `crm=${url}` }));
      expect(message).toMatch(/^OUTBOUND_WEBHOOKS: crm points at a /);
      expect(message).toContain(what);
      expect(message).toContain('OUTBOUND_ALLOW_PRIVATE=true');
      expect(loadConfig(webhooks({ OUTBOUND_WEBHOOKS: `crm=${url}`, OUTBOUND_ALLOW_PRIVATE: 'true' })).outboundWebhooks?.allowPrivate).toBe(
        true,
      );
    });
  });
});
