/**
 * Fault 9: what `/health/ready` says when parts are missing. A provider outage must never take an API instance
 * out of a load balancer (200, the provider `degraded`); a process that cannot capture at all (database down
 * and no spool) must say so (503).
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { MAX_ANSWER_MS } from './harness/expectations.ts';
import { channelEnv, findFreePort, useFaultEnvironment, type FaultService } from './harness/fault-environment.ts';
import { Ledger } from './harness/ledger.ts';
import { newRunTag, sendCapture } from './harness/load.ts';
import { problemDetailsViolations, sendRequest } from '../security/send-request.ts';

interface Ready {
  status: number;
  ms: number;
  body: { status?: unknown; checks?: unknown } | undefined;
}

async function ready(service: FaultService): Promise<Ready> {
  const started = Date.now();
  const response = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body: Ready['body'];
  try {
    body = JSON.parse(text) as Ready['body'];
  } catch {
    body = undefined;
  }
  return { status: response.status, ms: Date.now() - started, body };
}

/** The entry for one check, whether `checks` is keyed by name or a list of `{name, …}`. */
function checkEntry(body: Ready['body'], name: string): unknown {
  const checks = body?.checks;
  if (Array.isArray(checks)) return checks.find((check: { name?: unknown }) => check?.name === name);
  if (typeof checks === 'object' && checks !== null) return (checks as Record<string, unknown>)[name];
  return undefined;
}

const show = (probe: Ready) => `${probe.status} in ${probe.ms} ms: ${JSON.stringify(probe.body)}`;

describe('fault: /health/ready with parts missing', () => {
  const environment = useFaultEnvironment();

  it('when the SMTP server cannot be reached, then /health/ready stays 200 within 5 s and shows email as degraded', async () => {
    const closedPort = await findFreePort();
    const service = await environment.service({
      ...channelEnv(environment.stubs),
      EMAIL_HOST: '127.0.0.1',
      EMAIL_PORT: String(closedPort),
    });
    await service.start();

    // The first probe may run the SMTP check itself; every probe must still be 200, and fast.
    const probes: Ready[] = [];
    for (let index = 0; index < 3; index++) probes.push(await ready(service));
    process.stdout.write(
      `[fault] /health/ready with SMTP unreachable: ${probes.map((probe) => `${probe.status} in ${probe.ms} ms`).join(', ')}\n`,
    );

    for (const probe of probes) {
      expect(probe.status, `a provider outage must not make /health/ready 503: ${show(probe)}`).toBe(200);
      expect(probe.ms, `/health/ready must answer within 5 s: ${show(probe)}`).toBeLessThanOrEqual(MAX_ANSWER_MS);
    }
    const email = checkEntry(probes.at(-1)!.body, 'email');
    expect(email, `/health/ready lists each check, email among them: ${show(probes.at(-1)!)}`).toBeDefined();
    expect(JSON.stringify(email), `the unreachable SMTP server shows as degraded: ${show(probes.at(-1)!)}`).toMatch(/degraded/);
    expect(JSON.stringify(checkEntry(probes.at(-1)!.body, 'db'))).not.toMatch(/degraded|fail/);
  }, 60_000);

  it('when the database is down, then /health/ready is 503, a capture 503 problem+json with Retry-After: 5 and /metrics says leadline_database_up 0 with SPOOL_DIR=off, and 200 and a spooled 202 with the spool on (the lead is written once the database is back)', async () => {
    const noSpool = await environment.service({ ...channelEnv(environment.stubs), SPOOL_DIR: 'off' });
    const withSpool = await environment.service(channelEnv(environment.stubs));
    await Promise.all([noSpool.start(), withSpool.start()]);
    expect((await ready(noSpool)).status, 'ready while the database is up').toBe(200);

    await environment.pg.stop();
    let spooledId: string | undefined;
    try {
      const down: Ready[] = [];
      await waitFor(
        '/health/ready to report the database down without a spool',
        async () => {
          const probe = await ready(noSpool);
          down.push(probe);
          return probe.status === 503;
        },
        15_000,
      ).catch(() => {});
      const spooledProbe = await ready(withSpool);
      const ledger = new Ledger();
      const tag = newRunTag();
      const refused = await sendCapture(ledger, noSpool.url, { tag });
      const spooled = await sendCapture(ledger, withSpool.url, { tag });
      const refusedRaw = await sendRequest(noSpool.url, {
        method: 'POST',
        path: '/api/leads',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Unreachable Una', email: 'una@example.com' }),
      });
      const metrics = await sendRequest(noSpool.url, { path: '/metrics' });
      process.stdout.write(
        `[fault] database down: ready without spool ${down.map((probe) => probe.status).join(',')} (last in ${down.at(-1)?.ms} ms), with spool ${spooledProbe.status}; capture without spool ${refused.status} in ${refused.answeredAt! - refused.sentAt} ms, with spool ${spooled.status} in ${spooled.answeredAt! - spooled.sentAt} ms\n`,
      );

      expect(noSpool.unexpectedExit() ?? withSpool.unexpectedExit(), 'a process ended when the database went down').toBeUndefined();
      expect(down.at(-1)?.status, `database down, SPOOL_DIR=off: /health/ready is 503 (${down.map(show).join(' | ')})`).toBe(503);
      for (const probe of down) expect(probe.ms, `/health/ready must answer within 5 s: ${show(probe)}`).toBeLessThanOrEqual(MAX_ANSWER_MS);
      expect(refused.status, 'database down, SPOOL_DIR=off: a capture is refused with 503').toBe(503);
      expect(refused.retryAfter, 'the 503 says when to retry').toBeDefined();
      expect(refused.answeredAt! - refused.sentAt, 'and says it within 5 s').toBeLessThanOrEqual(MAX_ANSWER_MS);
      expect(refusedRaw.status, `the refusal read raw: ${refusedRaw.text}`).toBe(503);
      expect(refusedRaw.headers['retry-after'], 'retry in 5 s').toBe('5');
      expect(problemDetailsViolations(refusedRaw), 'the 503 is problem+json').toEqual([]);
      expect(metrics.status, 'a scrape still answers with the database down').toBe(200);
      expect(metrics.text).toMatch(/^leadline_database_up 0$/m);
      expect(metrics.text).toMatch(/^process_resident_memory_bytes [1-9]\d*$/m);
      expect(metrics.text).not.toContain('leadline_leads_total');

      expect(spooledProbe.status, `database down, spool writable: /health/ready is 200 (${show(spooledProbe)})`).toBe(200);
      expect(spooledProbe.ms).toBeLessThanOrEqual(MAX_ANSWER_MS);
      expect(spooled.status, 'database down, spool on: a capture is spooled').toBe(202);
      expect(spooled.spooled).toBe(true);
      expect(spooled.answeredAt! - spooled.sentAt).toBeLessThanOrEqual(MAX_ANSWER_MS);
      spooledId = spooled.leadId;
    } finally {
      await environment.pg.start();
    }

    const stored = await waitFor(
      'the spooled lead to be written once the database is back',
      async () => {
        const { rows } = await environment.pg.query('SELECT 1 FROM conversations WHERE id = $1', [spooledId]);
        return rows.length === 1;
      },
      15_000,
    ).then(
      () => true,
      () => false,
    );
    expect(stored, `the spooled lead ${spooledId} was not written within 15 s of the database's return`).toBe(true);
    await waitFor('/health/ready to be 200 again without a spool', async () => (await ready(noSpool)).status === 200, 15_000);
  }, 90_000);
});
