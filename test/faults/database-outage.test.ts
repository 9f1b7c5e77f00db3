/**
 * Fault 2: PostgreSQL goes away (a fast shutdown: sessions cut, then the port refuses connections) for a few
 * seconds while captures arrive at 50/s, then comes back on the same port with its data.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { checkRun, printSummary, waitForCheck, type CheckInput } from './harness/checker.ts';
import { expectCatchUpWithin, expectDuplicatesFlagged, expectFastAnswers, expectNothingLost } from './harness/expectations.ts';
import { unpacedChannelEnv, useFaultEnvironment } from './harness/fault-environment.ts';
import { Ledger, storedIdempotencyKey } from './harness/ledger.ts';
import { newRunTag, startLoad } from './harness/load.ts';
import { byForm } from './harness/suite-form.ts';

const OUTAGES_MS = byForm({ short: [5_000], long: [5_000, 30_000] });
const RATE_PER_SECOND = 50;
const CATCH_UP_LIMIT_MS = 15_000;
/** Load before the outage and after the database is back. */
const LEAD_IN_MS = 2_000;
const LEAD_OUT_MS = 3_000;

describe('fault: PostgreSQL is down for a while', () => {
  const environment = useFaultEnvironment();

  for (const outageMs of OUTAGES_MS) {
    it(
      `when PostgreSQL is down for ${outageMs / 1000} s under ${RATE_PER_SECOND} captures/s, then every answer comes within 5 s (202 from the spool or 503 with Retry-After), no acknowledged lead is lost, and all are alerted within ${CATCH_UP_LIMIT_MS / 1000} s of the database's return`,
      async () => {
        const service = await environment.service(unpacedChannelEnv(environment.stubs));
        await service.start();
        const ledger = new Ledger();
        const load = startLoad({
          target: service.url,
          ratePerSecond: RATE_PER_SECOND,
          durationMs: LEAD_IN_MS + outageMs + LEAD_OUT_MS,
          ledger,
          tag: newRunTag(),
        });
        await waitFor('the load to be answered before the outage', () => ledger.acknowledged().length >= 20, 10_000);

        await environment.pg.stop();
        const downAt = Date.now();
        // The outage's length is the fault itself.
        await new Promise((resolve) => setTimeout(resolve, outageMs));
        await environment.pg.start();
        const backAt = Date.now();
        await load.done;

        const input: CheckInput = {
          db: environment.pg.pool,
          ledger,
          receipts: environment.stubs.receipts,
          channels: ['slack', 'email', 'telegram'],
          recoveredAt: backAt,
        };
        const died = service.unexpectedExit();
        const report = died ? await checkRun(input) : await waitForCheck(input, { limitMs: CATCH_UP_LIMIT_MS });
        const duringOutage = ledger.sentBetween(downAt, backAt);
        const outageStats = ledger.stats(duringOutage);
        printSummary(`database outage ${outageMs / 1000} s`, report);

        expect(died, 'the process ended during the outage (a lost database must never end it)').toBeUndefined();
        expectFastAnswers(ledger, { allowed: [200, 201, 202, 503], what: 'captures around the outage' });
        expect(
          outageStats.spooled,
          `with the spool on (the default), captures during the outage are spooled and answered 202 (outage: ${JSON.stringify(outageStats.byStatus)})`,
        ).toBeGreaterThan(0);
        expectNothingLost(report);
        expectDuplicatesFlagged(report);
        expectCatchUpWithin(report, CATCH_UP_LIMIT_MS, "the database's return");

        // A spooled lead is written as it was captured: its id, its key and its original created_at.
        const spooled = ledger.acknowledged().filter((entry) => entry.spooled);
        const { rows } = await environment.pg.query<{ id: string; idempotency_key: string; created_ms: number }>(
          `SELECT id::text, idempotency_key, (extract(epoch FROM created_at) * 1000)::float8 AS created_ms FROM conversations WHERE id = ANY($1::uuid[])`,
          [spooled.map((entry) => entry.leadId)],
        );
        const stored = new Map(rows.map((row) => [row.id, row]));
        for (const entry of spooled) {
          const row = stored.get(entry.leadId!);
          expect(row?.idempotency_key, `spooled lead ${entry.leadId} keeps its Idempotency-Key`).toBe(storedIdempotencyKey(entry));
          expect(
            row!.created_ms,
            `spooled lead ${entry.leadId} keeps its original created_at (captured during the outage)`,
          ).toBeLessThanOrEqual(entry.answeredAt! + 1_000);
          expect(row!.created_ms).toBeGreaterThanOrEqual(entry.sentAt - 1_000);
        }
      },
      outageMs + 90_000,
    );
  }
});
