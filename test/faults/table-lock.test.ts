/**
 * Fault 3: the database is up but does not answer in time: another session holds `conversations` in ACCESS
 * EXCLUSIVE mode (a migration, a VACUUM FULL, a stuck admin transaction), so every capture's insert waits.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { checkRun, printSummary, waitForCheck, type CheckInput } from './harness/checker.ts';
import { expectCatchUpWithin, expectFastAnswers, expectNothingLost } from './harness/expectations.ts';
import { unpacedChannelEnv, useFaultEnvironment } from './harness/fault-environment.ts';
import { Ledger } from './harness/ledger.ts';
import { newRunTag, startLoad } from './harness/load.ts';
import { byForm } from './harness/suite-form.ts';

const LOCK_MS = byForm({ short: 8_000, long: 10_000 });
const RATE_PER_SECOND = 50;
/**
 * The lock's promise is about answers (every one within 5 s) and storage; the alerts of the ~400 leads held
 * during it then drain at the channels' default pace (Telegram: 20 leads a message, one message a second),
 * about 5 s on a quiet machine. The bound leaves room for a loaded one (a parallel test run), where it took 16 s.
 */
const CATCH_UP_LIMIT_MS = 30_000;

describe('fault: the leads table is locked', () => {
  const environment = useFaultEnvironment();

  it(
    `when conversations is locked for ${LOCK_MS / 1000} s under ${RATE_PER_SECOND} captures/s, then every capture answers within 5 s (202 or 503 while locked), and every 202 is stored and alerted afterwards`,
    async () => {
      const service = await environment.service(unpacedChannelEnv(environment.stubs));
      await service.start();
      const ledger = new Ledger();
      const load = startLoad({
        target: service.url,
        ratePerSecond: RATE_PER_SECOND,
        durationMs: LOCK_MS + 5_000,
        ledger,
        tag: newRunTag(),
      });
      await waitFor('the load to be answered before the lock', () => ledger.acknowledged().length >= 20, 10_000);

      const lock = await environment.pg.holdLock('conversations', LOCK_MS);
      const releasedAt = await lock.released;
      await load.done;

      const input: CheckInput = {
        db: environment.pg.pool,
        ledger,
        receipts: environment.stubs.receipts,
        channels: ['slack', 'email', 'telegram'],
        recoveredAt: releasedAt,
      };
      const died = service.unexpectedExit();
      const report = died ? await checkRun(input) : await waitForCheck(input, { limitMs: CATCH_UP_LIMIT_MS });
      // Sent while the lock was held and answered before it was released: these could not have been written.
      const whileLocked = ledger
        .sentBetween(lock.acquiredAt, releasedAt)
        .filter((entry) => entry.answeredAt !== undefined && entry.answeredAt < releasedAt);
      const lockedStats = ledger.stats(whileLocked);
      printSummary(`conversations locked ${LOCK_MS / 1000} s`, report);

      expect(died, 'the process ended during the lock').toBeUndefined();
      expectFastAnswers(ledger, { allowed: [200, 201, 202, 503], what: 'captures around the lock' });
      expect(
        Object.keys(lockedStats.byStatus).filter((status) => status !== '202' && status !== '503'),
        `answered while the table was locked: only 202 (spooled) or 503 are possible (${JSON.stringify(lockedStats.byStatus)})`,
      ).toEqual([]);
      expect(
        lockedStats.spooled,
        `with the spool on, captures that cannot be written in time are spooled (${JSON.stringify(lockedStats.byStatus)})`,
      ).toBeGreaterThan(0);
      expectNothingLost(report);
      expectCatchUpWithin(report, CATCH_UP_LIMIT_MS, 'the release of the lock');
    },
    LOCK_MS + 90_000,
  );
});
