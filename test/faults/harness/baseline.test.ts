/**
 * The whole harness end to end with no fault: load → Leadline (a real process, real pacing and coalescing) →
 * stub providers → checker. It must report nothing lost and nothing duplicated, so a fault test's figures are
 * the fault's and not the harness's.
 */
import { describe, expect, it } from 'vitest';
import { printSummary, waitForCheck } from './checker.ts';
import { expectFastAnswers, expectNothingLost } from './expectations.ts';
import { channelEnv, useFaultEnvironment } from './fault-environment.ts';
import { Ledger } from './ledger.ts';
import { newRunTag, runLoad } from './load.ts';

describe('the fault harness without a fault', () => {
  const environment = useFaultEnvironment();

  it('when 100 leads arrive at 50/s with nothing broken, then every answer is a 201, and the checker finds every lead stored and alerted once on Slack, email and Telegram', async () => {
    const service = await environment.service(channelEnv(environment.stubs));
    await service.start();
    const ledger = new Ledger();
    await runLoad({ target: service.url, ratePerSecond: 50, durationMs: 2_000, ledger, tag: newRunTag() });
    const loadEndedAt = Date.now();

    const report = await waitForCheck(
      {
        db: environment.pg.pool,
        ledger,
        receipts: environment.stubs.receipts,
        channels: ['slack', 'email', 'telegram'],
        recoveredAt: loadEndedAt,
      },
      { timeoutMs: 20_000 },
    );
    printSummary('baseline (no fault)', report, { 'catch-up by channel (ms)': JSON.stringify(report.catchUpMsByChannel) });

    expectFastAnswers(ledger, { allowed: [201] });
    expect(report.acknowledged).toBe(100);
    expectNothingLost(report);
    expect(report.duplicated).toBe(0);
    expect(report.unacknowledgedStored).toBe(0);
    expect(service.unexpectedExit()).toBeUndefined();
  }, 60_000);
});
