/**
 * Fault 4: `kill -9` of the whole process (ROLE=all) in the middle of a burst of leads, then a restart, the way
 * an OOM kill or a host reboot followed by a supervisor restart looks. Pacing stays at the product defaults:
 * it is what bounds a crash's repeats to one message per paced channel.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { describeReport, printSummary, waitForCheck } from './harness/checker.ts';
import { expectCatchUpWithin, expectDuplicatesFlagged, expectNothingLost } from './harness/expectations.ts';
import { channelEnv, useFaultEnvironment } from './harness/fault-environment.ts';
import { Ledger } from './harness/ledger.ts';
import { newRunTag, startLoad } from './harness/load.ts';
import { byForm } from './harness/suite-form.ts';

const KILLS = byForm({ short: 1, long: 3 });
const BURST_LEADS = 150;
/** The burst arrives over 1.5 s; the kill comes once a third of it is acknowledged. */
const BURST_RATE_PER_SECOND = 100;
const KILL_AFTER_ACKNOWLEDGED = 50;
const CATCH_UP_LIMIT_MS = 10_000;

describe('fault: the process is killed with SIGKILL and restarted', () => {
  const environment = useFaultEnvironment();

  it(
    `when the process is killed with SIGKILL during a ${BURST_LEADS}-lead burst and restarted (${KILLS}×), then no acknowledged lead is lost, every one is alerted within ${CATCH_UP_LIMIT_MS / 1000} s of the restart, and a kill repeats at most one message per channel, flagged`,
    async () => {
      const service = await environment.service(channelEnv(environment.stubs));
      await service.start();

      for (let kill = 1; kill <= KILLS; kill++) {
        const ledger = new Ledger();
        const burst = startLoad({
          target: service.url,
          ratePerSecond: BURST_RATE_PER_SECOND,
          durationMs: (BURST_LEADS / BURST_RATE_PER_SECOND) * 1000,
          ledger,
          tag: newRunTag(),
        });
        await waitFor(
          `${KILL_AFTER_ACKNOWLEDGED} leads of burst ${kill} to be acknowledged`,
          () => ledger.acknowledged().length >= KILL_AFTER_ACKNOWLEDGED,
          15_000,
        );
        expect(await service.kill('SIGKILL')).toBe('SIGKILL');
        await burst.done;
        const restartedAt = await service.start();

        const report = await waitForCheck(
          {
            db: environment.pg.pool,
            ledger,
            receipts: environment.stubs.receipts,
            channels: ['slack', 'email', 'telegram'],
            recoveredAt: restartedAt,
          },
          { limitMs: CATCH_UP_LIMIT_MS },
        );
        printSummary(`kill -9 during a burst (kill ${kill} of ${KILLS})`, report, {
          acknowledged: report.acknowledged,
          'repeated messages': JSON.stringify(report.repeatedMessages),
        });

        expect(report.acknowledged, 'the burst was acknowledged in part before the kill').toBeGreaterThanOrEqual(KILL_AFTER_ACKNOWLEDGED);
        expectNothingLost(report);
        expectCatchUpWithin(report, CATCH_UP_LIMIT_MS, 'the restart');
        expectDuplicatesFlagged(report);
        for (const [channel, repeated] of Object.entries(report.repeatedMessages)) {
          expect(repeated, `${channel}: one kill may repeat at most one message\n${describeReport(report)}`).toBeLessThanOrEqual(1);
        }
      }
      expect(service.unexpectedExit(), 'the restarted process ended on its own').toBeUndefined();
    },
    KILLS * 60_000 + 30_000,
  );
});
