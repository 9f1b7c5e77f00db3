/**
 * Fault 7: the LISTEN connections go half-open: the proxy between Leadline and PostgreSQL stops forwarding
 * them in both directions without closing them, so no notification arrives and no error either. The relay must
 * keep going on its poll (the backstop), and the listeners must notice and reconnect on their own. TCP
 * keepalives cannot notice this freeze (the proxy's kernel answers them): only an application-level check can.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { printSummary, waitForCheck } from './harness/checker.ts';
import { expectFastAnswers, expectNothingLost } from './harness/expectations.ts';
import { channelEnv, useFaultEnvironment } from './harness/fault-environment.ts';
import { Ledger, type LedgerEntry } from './harness/ledger.ts';
import { newRunTag, startLoad } from './harness/load.ts';
import type { FaultPostgres } from './harness/postgres-control.ts';
import { byForm } from './harness/suite-form.ts';
import { startTcpProxy, type ProxiedConnection } from './harness/tcp-proxy.ts';

const RELAY_POLL_INTERVAL_MS = 1_000;
/** The backstop: an event waits at most one poll, plus the pass itself; twice the interval is the bound. */
const POLL_BOUND_MS = 2 * RELAY_POLL_INTERVAL_MS;
/** A notification wakes the relay at once; a poll would give ~500 ms on average with a 1 s interval. */
const NOTIFY_BOUND_MS = 250;
const FROZEN_LOAD_MS = byForm({ short: 4_000, long: 10_000 });
const RECOVER_WITHIN_MS = byForm({ short: 15_000, long: 30_000 });

const isListener = (connection: ProxiedConnection) => connection.applicationName?.startsWith('leadline-listener') ?? false;

/** From the client's answer to the relay's `processed_at`, per lead, in ms. */
async function relayDelays(pg: FaultPostgres, entries: readonly LedgerEntry[]): Promise<number[]> {
  const acknowledged = entries.filter((entry) => entry.status === 201);
  await waitFor(
    'the events to be relayed',
    async () => {
      const { rows } = await pg.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM lead_events WHERE event_type = 'lead.created' AND processed_at IS NOT NULL AND conversation_id = ANY($1::uuid[])`,
        [acknowledged.map((entry) => entry.leadId)],
      );
      return rows[0]!.n === acknowledged.length;
    },
    15_000,
  ).catch(() => {});
  const { rows } = await pg.query<{ id: string; processed_ms: number | null }>(
    `SELECT conversation_id::text AS id, (extract(epoch FROM processed_at) * 1000)::float8 AS processed_ms
     FROM lead_events WHERE event_type = 'lead.created' AND conversation_id = ANY($1::uuid[])`,
    [acknowledged.map((entry) => entry.leadId)],
  );
  const processed = new Map(rows.map((row) => [row.id, row.processed_ms]));
  return acknowledged.map((entry) => Math.round((processed.get(entry.leadId!) ?? Infinity) - entry.answeredAt!));
}

const median = (values: number[]) => (values.length === 0 ? Infinity : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);

/**
 * Ten leads at 3/s. Under a 1 s poll alone, three phases a third of a second apart put the median wait at 333 ms
 * or more whatever the offset, so a median under 250 ms can only come from NOTIFY.
 */
function sendTen(ledger: Ledger, url: string, tag: string): Promise<LedgerEntry[]> {
  return startLoad({ target: url, ratePerSecond: 3, durationMs: 3_334, ledger, tag }).done;
}

describe('fault: the LISTEN connections go half-open', () => {
  const environment = useFaultEnvironment();

  it(
    `when every LISTEN connection is frozen (open, silent), then leads are still relayed within ${POLL_BOUND_MS / 1000} s by polling, and the listeners reconnect within ${RECOVER_WITHIN_MS / 1000} s so that notifications wake the relay again`,
    async () => {
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: environment.pg.port });
      const service = await environment.service(
        { ...channelEnv(environment.stubs), RELAY_POLL_INTERVAL: `${RELAY_POLL_INTERVAL_MS}ms` },
        proxy.urlFor(environment.pg.url),
      );
      await service.start();
      const ledger = new Ledger();
      const tag = newRunTag();

      // Before: notifications work.
      await waitFor('a LISTEN connection through the proxy', () =>
        proxy.connections.some((connection) => isListener(connection) && connection.closedAt === undefined),
      );
      const before = await relayDelays(environment.pg, await sendTen(ledger, service.url, tag));
      expect(median(before), `before the fault, NOTIFY wakes the relay at once (delays ms: ${before.join(', ')})`).toBeLessThanOrEqual(
        NOTIFY_BOUND_MS,
      );

      const frozen = proxy.freeze(isListener);
      const frozenAt = Date.now();
      expect(frozen.length, 'no LISTEN connection to freeze').toBeGreaterThan(0);

      // While frozen: the poll carries the relay.
      const whileFrozen = await startLoad({ target: service.url, ratePerSecond: 4, durationMs: FROZEN_LOAD_MS, ledger, tag }).done;
      const frozenDelays = await relayDelays(environment.pg, whileFrozen);

      // Recovery: as many fresh listener connections as were frozen, opened after the freeze and still open.
      const fresh = () =>
        proxy.connections.filter(
          (connection) =>
            isListener(connection) && connection.openedAt > frozenAt && connection.closedAt === undefined && !connection.isFrozen(),
        );
      const recovered = await waitFor('the listeners to reconnect', () => fresh().length >= frozen.length, RECOVER_WITHIN_MS).then(
        () => Date.now() - frozenAt,
        () => undefined,
      );
      const after = recovered === undefined ? [] : await relayDelays(environment.pg, await sendTen(ledger, service.url, tag));

      const report = await waitForCheck(
        { db: environment.pg.pool, ledger, receipts: environment.stubs.receipts, channels: ['slack', 'email', 'telegram'] },
        { timeoutMs: 15_000 },
      );
      printSummary('half-open LISTEN connections', report, {
        frozen: frozen.length,
        'max relay delay while frozen ms': Math.max(...frozenDelays),
        'listeners back after s': recovered === undefined ? 'never' : (recovered / 1000).toFixed(1),
        'median relay delay after ms': after.length === 0 ? 'n/a' : median(after),
        'median relay delay before ms': median(before),
      });

      expect(service.unexpectedExit(), 'the process ended').toBeUndefined();
      expectFastAnswers(ledger, { allowed: [201], entries: whileFrozen, what: 'captures while the listeners are frozen' });
      expect(
        Math.max(...frozenDelays),
        `while frozen, every event is relayed by the poll within ${POLL_BOUND_MS} ms (delays ms: ${frozenDelays.join(', ')})`,
      ).toBeLessThanOrEqual(POLL_BOUND_MS);
      expect(
        recovered,
        `the ${frozen.length} frozen LISTEN connection(s) were not replaced within ${RECOVER_WITHIN_MS / 1000} s (fresh: ${fresh().length})`,
      ).toBeDefined();
      expect(
        median(after),
        `after the listeners reconnect, NOTIFY wakes the relay at once again (delays ms: ${after.join(', ')})`,
      ).toBeLessThanOrEqual(NOTIFY_BOUND_MS);
      expectNothingLost(report);
      await proxy.close();
    },
    FROZEN_LOAD_MS + RECOVER_WITHIN_MS + 90_000,
  );
});
