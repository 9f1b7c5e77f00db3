/**
 * Fault 1: every backend of the service is terminated every 300 ms (what a restart, a failover or a pooler
 * restart does to open connections) while captures arrive at 50/s.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { checkRun, printSummary, waitForCheck, type CheckInput } from './harness/checker.ts';
import { expectCatchUpWithin, expectDuplicatesFlagged, expectFastAnswers, expectNothingLost } from './harness/expectations.ts';
import { unpacedChannelEnv, useFaultEnvironment } from './harness/fault-environment.ts';
import { Ledger } from './harness/ledger.ts';
import { newRunTag, startLoad } from './harness/load.ts';
import { byForm } from './harness/suite-form.ts';

const STORM_MS = byForm({ short: 6_000, long: 15_000 });
const STORM_EVERY_MS = 300;
const RATE_PER_SECOND = 50;
const CATCH_UP_LIMIT_MS = 15_000;

describe('fault: the database terminates every backend of the service', () => {
  const environment = useFaultEnvironment();

  it(`when every backend is terminated every ${STORM_EVERY_MS} ms for ${STORM_MS / 1000} s under ${RATE_PER_SECOND} captures/s, then the process never exits, every answer is a 2xx or a fast 503/202 and never a reset, and every acknowledged lead is stored and alerted within ${CATCH_UP_LIMIT_MS / 1000} s of the storm's end`, async () => {
    const service = await environment.service(unpacedChannelEnv(environment.stubs));
    await service.start();
    const ledger = new Ledger();
    const load = startLoad({ target: service.url, ratePerSecond: RATE_PER_SECOND, durationMs: STORM_MS + 3_000, ledger, tag: newRunTag() });
    await waitFor('the load to be answered before the storm', () => ledger.acknowledged().length >= 20, 10_000);

    const storm = environment.pg.startTerminationStorm({ everyMs: STORM_EVERY_MS, durationMs: STORM_MS });
    const { rounds, terminated } = await storm.done;
    const stormEndedAt = Date.now();
    await load.done;

    const input: CheckInput = {
      db: environment.pg.pool,
      ledger,
      receipts: environment.stubs.receipts,
      channels: ['slack', 'email', 'telegram'],
      recoveredAt: stormEndedAt,
    };
    const died = service.unexpectedExit();
    const report = died ? await checkRun(input) : await waitForCheck(input, { limitMs: CATCH_UP_LIMIT_MS });
    printSummary('backend termination storm', report, {
      rounds,
      terminated,
    });

    expect(terminated, 'the storm terminated no backend: it did not hit the service').toBeGreaterThan(0);
    expect(died, 'the process ended during the storm (a lost connection must never end it)').toBeUndefined();
    expectFastAnswers(ledger, { allowed: [200, 201, 202, 503], what: 'captures during the storm' });
    expectNothingLost(report);
    expectDuplicatesFlagged(report);
    expectCatchUpWithin(report, CATCH_UP_LIMIT_MS, 'the end of the storm');
  }, 120_000);
});
