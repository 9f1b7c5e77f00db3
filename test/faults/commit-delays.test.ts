/**
 * Fault 8: captures commit out of order. A test-installed deferred trigger on `conversations` sleeps a random
 * time right before each capture commits, so events get their ids in one order and become visible in another:
 * a relay that kept a high-water mark, or that only looked at what NOTIFY named, would skip or strand some.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { printSummary, waitForCheck } from './harness/checker.ts';
import { expectFastAnswers, expectNothingLost } from './harness/expectations.ts';
import { unpacedChannelEnv, useFaultEnvironment } from './harness/fault-environment.ts';
import { Ledger, type LedgerEntry } from './harness/ledger.ts';
import { newRunTag, sendCapture } from './harness/load.ts';
import { byForm } from './harness/suite-form.ts';

const RELAY_POLL_INTERVAL_MS = 500;
const CONCURRENT_CAPTURES = 50;
const ROUNDS = byForm({ short: 1, long: 5 });
/** Each capture's commit waits up to this long (uniformly random). */
const MAX_COMMIT_DELAY_S = 0.8;
/**
 * Enough connections that 50 captures each holding one for up to 0.8 s are not queued past the 3 s database
 * timeout, which would turn them into spooled 202s and measure the spool instead of the relay.
 */
const POOL_SIZE = 25;

const INSTALL_DELAY = /* sql */ `
  CREATE OR REPLACE FUNCTION fault_delay_commit() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    PERFORM pg_sleep(random() * ${MAX_COMMIT_DELAY_S});
    RETURN NULL;
  END $$;
  DROP TRIGGER IF EXISTS fault_delay_commit ON conversations;
  CREATE CONSTRAINT TRIGGER fault_delay_commit AFTER INSERT ON conversations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_delay_commit();`;
const REMOVE_DELAY = /* sql */ `DROP TRIGGER IF EXISTS fault_delay_commit ON conversations; DROP FUNCTION IF EXISTS fault_delay_commit();`;

describe('fault: captures commit out of order', () => {
  const environment = useFaultEnvironment();
  afterAll(async () => {
    await environment.pg.query(REMOVE_DELAY).catch(() => {});
  });

  it(
    `when ${CONCURRENT_CAPTURES} captures at once each commit after a random delay of up to ${MAX_COMMIT_DELAY_S} s (${ROUNDS}×), then no event waits longer than twice RELAY_POLL_INTERVAL (${2 * RELAY_POLL_INTERVAL_MS} ms) from its capture's answer to processed_at`,
    async () => {
      const service = await environment.service({
        ...unpacedChannelEnv(environment.stubs),
        RELAY_POLL_INTERVAL: `${RELAY_POLL_INTERVAL_MS}ms`,
        DATABASE_POOL_SIZE: String(POOL_SIZE),
      });
      await service.start();
      await environment.pg.query(INSTALL_DELAY);
      const ledger = new Ledger();
      const tag = newRunTag();
      const delays: number[] = [];
      /** Event ids in the order their captures were answered: out of order when commits were. */
      let inversions = 0;

      for (let round = 1; round <= ROUNDS; round++) {
        const entries: LedgerEntry[] = await Promise.all(
          Array.from({ length: CONCURRENT_CAPTURES }, () => sendCapture(ledger, service.url, { tag })),
        );
        const committed = entries.filter((entry) => entry.status === 201);
        const ids = committed.map((entry) => entry.leadId);
        await waitFor(
          `round ${round}: every event relayed`,
          async () => {
            const { rows } = await environment.pg.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM lead_events WHERE event_type = 'lead.created' AND processed_at IS NOT NULL AND conversation_id = ANY($1::uuid[])`,
              [ids],
            );
            return rows[0]!.n === ids.length;
          },
          10_000,
        ).catch(() => {});
        const { rows } = await environment.pg.query<{ id: string; event_id: number; processed_ms: number | null }>(
          `SELECT conversation_id::text AS id, id::float8 AS event_id, (extract(epoch FROM processed_at) * 1000)::float8 AS processed_ms FROM lead_events
         WHERE event_type = 'lead.created' AND conversation_id = ANY($1::uuid[])`,
          [ids],
        );
        const events = new Map(rows.map((row) => [row.id, row]));
        for (const entry of committed) delays.push(Math.round((events.get(entry.leadId!)?.processed_ms ?? Infinity) - entry.answeredAt!));
        const byAnswer = [...committed]
          .sort((a, b) => a.answeredAt! - b.answeredAt!)
          .map((entry) => events.get(entry.leadId!)?.event_id ?? 0);
        for (let index = 1; index < byAnswer.length; index++) if (byAnswer[index]! < byAnswer[index - 1]!) inversions += 1;
      }
      await environment.pg.query(REMOVE_DELAY);

      const report = await waitForCheck(
        { db: environment.pg.pool, ledger, receipts: environment.stubs.receipts, channels: ['slack', 'email', 'telegram'] },
        { timeoutMs: 15_000 },
      );
      const sorted = [...delays].sort((a, b) => a - b);
      printSummary('out-of-order commits', report, {
        'max answer → processed_at ms': sorted.at(-1),
        'p50 ms': sorted[Math.floor(sorted.length / 2)],
        'out-of-order commits': inversions,
      });

      expectFastAnswers(ledger, { allowed: [201], what: 'captures with delayed commits' });
      expect(inversions, 'the commit delays did not reorder any commit: the fault was not in effect').toBeGreaterThan(0);
      expect(delays.length).toBe(CONCURRENT_CAPTURES * ROUNDS);
      const late = delays.filter((delay) => delay > 2 * RELAY_POLL_INTERVAL_MS);
      expect(
        late,
        `events relayed later than ${2 * RELAY_POLL_INTERVAL_MS} ms after their capture's answer (all delays ms: ${sorted.join(', ')})`,
      ).toEqual([]);
      expectNothingLost(report);
    },
    ROUNDS * 20_000 + 60_000,
  );
});
