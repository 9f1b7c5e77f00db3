/**
 * Fault 5: the process SIGKILLs itself at a chosen point of the delivery path (`FAULT_POINT`, the
 * `FAULT_POINT_AT`-th time it gets there), then is restarted, over and over:
 * - before_send: an attempt was started but the provider was not called;
 * - after_send: the provider accepted, the outcome is not recorded;
 * - before_commit: the relay enqueued the jobs and marked the events processed, but did not commit.
 * Each restart runs armed again, so it recovers its predecessor's work and then dies in turn; the last one runs
 * unarmed and must deliver everything. Duplicates are allowed only after after_send, and each must be flagged.
 *
 * A SIGKILL ends the whole process, so whatever else it had in the after_send window (another channel's
 * message accepted a moment ago) may repeat too: that is the after_send fault, not the one under test. So the
 * points are isolated: before_send runs with one paced channel (Slack: one message in flight, recorded before
 * the next), and before_commit with deliveries paused while the armed processes run (the relay works, nothing
 * is sent until the last, unarmed process resumes). after_send runs with every channel.
 */
import { describe, expect, it } from 'vitest';
import { describeReport, printSummary, waitForCheck } from './harness/checker.ts';
import { expectCatchUpWithin, expectDuplicatesFlagged, expectNothingLost } from './harness/expectations.ts';
import { channelEnv, exitWithin, useFaultEnvironment } from './harness/fault-environment.ts';
import { Ledger } from './harness/ledger.ts';
import { newRunTag, startLoad } from './harness/load.ts';
import { byForm } from './harness/suite-form.ts';
import { setDeliveriesPaused } from '../../src/delivery/pause-switch.ts';

const FAULT_POINTS = ['before_send', 'after_send', 'before_commit'] as const;
const REPETITIONS = byForm({ short: 2, long: 20 });
/** A few leads a second until the armed process reaches its point and kills itself. */
const LEADS_PER_SECOND = 4;
/** How long an armed process may run before we call the fault point unreached. */
const REACH_POINT_WITHIN_MS = 8_000;
const CATCH_UP_LIMIT_MS = 10_000;
/**
 * After after_send every kill leaves a message the provider accepted; each is sent again (flagged) in a send
 * slot of its own, and Slack and Telegram are paced at one message a second: 20 kills can queue 8-9 repeats on
 * one paced channel ahead of the last leads. Measured in the long form on 2 cores: 3.8-10.0 s (5 runs).
 */
const AFTER_SEND_CATCH_UP_LIMIT_MS = 15_000;

describe('fault: the process kills itself at a fault point, again and again', () => {
  const environment = useFaultEnvironment();

  for (const point of FAULT_POINTS) {
    it(
      `when the process SIGKILLs itself at ${point} (${REPETITIONS}×, restarted each time), then no acknowledged lead is lost${point === 'after_send' ? ' and every repeat is flagged possible_duplicate' : ' and no lead is alerted twice'}`,
      async () => {
        const channels = point === 'before_send' ? (['slack'] as const) : (['slack', 'email', 'telegram'] as const);
        const env = point === 'before_send' ? { SLACK_WEBHOOK_URL: environment.stubs.slack.url } : channelEnv(environment.stubs);
        const service = await environment.service(env);
        const ledger = new Ledger();
        const tag = newRunTag();
        if (point === 'before_commit') await setDeliveriesPaused(environment.pg.pool, true);

        for (let repetition = 1; repetition <= REPETITIONS; repetition++) {
          // Vary which crossing of the point kills: the 1st, 2nd or 3rd.
          const at = String(((repetition - 1) % 3) + 1);
          // A restart that takes over its predecessor's work can cross the point while it is still starting (the
          // workers run before the API prints that it is ready): that is the repetition done, with no new leads.
          const diedWhileStarting = await service.start({ FAULT_POINT: point, FAULT_POINT_AT: at }).then(
            () => false,
            (error: unknown) => {
              if (String(error).includes('leadline exited with SIGKILL before it was ready')) return true;
              throw error;
            },
          );
          if (diedWhileStarting) continue;
          const child = service.current!;
          const load = startLoad({ target: service.url, ratePerSecond: LEADS_PER_SECOND, durationMs: REACH_POINT_WITHIN_MS, ledger, tag });
          const exit = await exitWithin(child, REACH_POINT_WITHIN_MS + 1_000);
          load.stop();
          await load.done;
          if (exit === undefined) await service.kill('SIGKILL');
          expect(
            exit,
            `FAULT_POINT=${point} FAULT_POINT_AT=${at}, repetition ${repetition}: the process must SIGKILL itself within ${REACH_POINT_WITHIN_MS / 1000} s (it ${exit === undefined ? 'was still running' : `ended with ${exit}`})`,
          ).toBe('SIGKILL');
        }

        if (point === 'before_commit') await setDeliveriesPaused(environment.pg.pool, false);
        const restartedAt = await service.start();
        const report = await waitForCheck(
          {
            db: environment.pg.pool,
            ledger,
            receipts: environment.stubs.receipts,
            channels: [...channels],
            recoveredAt: restartedAt,
          },
          { limitMs: point === 'after_send' ? AFTER_SEND_CATCH_UP_LIMIT_MS : CATCH_UP_LIMIT_MS },
        );
        printSummary(`FAULT_POINT=${point} ×${REPETITIONS}`, report, {
          acknowledged: report.acknowledged,
          'repeated messages': JSON.stringify(report.repeatedMessages),
        });

        expect(report.acknowledged, 'leads were acknowledged between the crashes').toBeGreaterThan(0);
        expectNothingLost(report);
        if (point === 'after_send') expectDuplicatesFlagged(report);
        else
          expect(
            report.duplicated,
            `a crash at ${point} happens before any provider accepted: nothing may repeat\n${describeReport(report)}`,
          ).toBe(0);
        expectCatchUpWithin(report, point === 'after_send' ? AFTER_SEND_CATCH_UP_LIMIT_MS : CATCH_UP_LIMIT_MS, 'the last restart');
        expect(service.unexpectedExit(), 'the unarmed process ended on its own').toBeUndefined();
        // The next test runs other channels on this database; a process left running would relay its leads too.
        await service.kill('SIGTERM');
      },
      REPETITIONS * 25_000 + 40_000,
    );
  }
});
