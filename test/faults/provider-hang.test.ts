/**
 * Fault 6: a provider that accepts connections and never answers (a black-holed API, a proxy that hangs).
 * Telegram points at it through `TELEGRAM_API_ROOT`; Slack and email are configured normally.
 */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/start-test-leadline.ts';
import { describeReport, printSummary, waitForCheck } from './harness/checker.ts';
import { expectFastAnswers, expectNothingLost, MAX_ANSWER_MS } from './harness/expectations.ts';
import { channelEnv, useFaultEnvironment } from './harness/fault-environment.ts';
import { startHangingProvider } from './harness/hanging-provider.ts';
import { Ledger } from './harness/ledger.ts';
import { newRunTag, startLoad } from './harness/load.ts';
import { byForm } from './harness/suite-form.ts';

/** The Telegram channel's own request timeout (src/channels/telegram/create-telegram-channel.ts). */
const TELEGRAM_TIMEOUT_MS = 10_000;
/** Slack on the normal path: an alert arrives this soon after its lead was acknowledged. */
const PROMPT_ALERT_MS = 2_000;
const LOAD_MS = byForm({ short: 12_000, long: 30_000 });
/** One lead every 1.5 s: slower than Slack's 1 s pace, so any Slack delay would be the hang's doing. */
const LEADS_PER_SECOND = 1 / 1.5;

interface ReadyProbe {
  at: number;
  ms: number;
  status: number | string;
  body: unknown;
}

describe('fault: a provider accepts connections and never answers', () => {
  const environment = useFaultEnvironment();

  it(
    `when Telegram's API accepts connections and never answers, then every attempt to it ends at its ${TELEGRAM_TIMEOUT_MS / 1000} s timeout, Slack and email alerts arrive within ${PROMPT_ALERT_MS / 1000} s as usual, and the process stays up and ready`,
    async () => {
      const hanging = await startHangingProvider();
      const service = await environment.service({ ...channelEnv(environment.stubs), TELEGRAM_API_ROOT: hanging.url });
      await service.start();
      const ledger = new Ledger();
      const load = startLoad({ target: service.url, ratePerSecond: LEADS_PER_SECOND, durationMs: LOAD_MS, ledger, tag: newRunTag() });

      // /health/ready once a second while the provider hangs.
      const probes: ReadyProbe[] = [];
      let probing = true;
      const prober = (async () => {
        while (probing) {
          const at = Date.now();
          const probe = await fetch(`${service.url}/health/ready`, { signal: AbortSignal.timeout(10_000) }).then(
            async (response) => ({ status: response.status, body: (await response.json()) as unknown }),
            (error: Error) => ({ status: error.name, body: undefined }),
          );
          probes.push({ at, ms: Date.now() - at, ...probe });
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - at))));
        }
      })();

      await load.done;
      await waitFor(
        'a Telegram attempt to end',
        async () => {
          const { rows } = await environment.pg.query(
            `SELECT 1 FROM notification_logs WHERE channel = 'telegram' AND finished_at IS NOT NULL LIMIT 1`,
          );
          return rows.length > 0;
        },
        TELEGRAM_TIMEOUT_MS + 15_000,
      ).catch(() => {});
      probing = false;
      await prober;

      const report = await waitForCheck(
        { db: environment.pg.pool, ledger, receipts: environment.stubs.receipts, channels: ['slack', 'email'] },
        { timeoutMs: 10_000 },
      );
      const slackDelays = ledger
        .acknowledged()
        .map((entry) => (report.firstReceiptAt.slack[entry.leadId!] ?? Infinity) - entry.answeredAt!);
      const emailDelays = ledger
        .acknowledged()
        .map((entry) => (report.firstReceiptAt.email[entry.leadId!] ?? Infinity) - entry.answeredAt!);
      const { rows: attempts } = await environment.pg.query<{
        status: string;
        started_ago_ms: number;
        took_ms: number | null;
        error_message: string | null;
      }>(
        `SELECT status, (extract(epoch FROM now() - started_at) * 1000)::float8 AS started_ago_ms,
              (extract(epoch FROM finished_at - started_at) * 1000)::float8 AS took_ms, error_message
       FROM notification_logs WHERE channel = 'telegram' ORDER BY started_at`,
      );
      const finished = attempts.filter((attempt) => attempt.took_ms !== null);
      printSummary('provider never answers (Telegram)', report, {
        'max Slack delay ms': Math.max(...slackDelays),
        'Telegram attempts ended': `${finished.length}/${attempts.length}`,
        'longest Telegram attempt ms': Math.round(Math.max(0, ...finished.map((attempt) => attempt.took_ms!))),
        'ready probes 200': `${probes.filter((probe) => probe.status === 200).length}/${probes.length}`,
      });

      expect(service.unexpectedExit(), 'the process ended while a provider hung').toBeUndefined();
      expectFastAnswers(ledger, { allowed: [201], what: 'captures while Telegram hangs' });
      expectNothingLost(report);
      expect(
        Math.max(...slackDelays),
        `Slack alerts must stay prompt while Telegram hangs (delays ms: ${slackDelays.join(', ')})\n${describeReport(report)}`,
      ).toBeLessThanOrEqual(PROMPT_ALERT_MS);
      expect(
        Math.max(...emailDelays),
        `email alerts must stay prompt while Telegram hangs (delays ms: ${emailDelays.join(', ')})`,
      ).toBeLessThanOrEqual(PROMPT_ALERT_MS);

      expect(hanging.connections.length, 'Leadline never reached the hanging provider').toBeGreaterThan(0);
      expect(finished.length, `no Telegram attempt ended (attempts: ${JSON.stringify(attempts)})`).toBeGreaterThan(0);
      for (const attempt of finished) {
        expect(attempt.status, `a hung attempt ends as a failure: ${JSON.stringify(attempt)}`).toMatch(/^(failed|dead)$/);
        expect(
          attempt.took_ms!,
          `a hung attempt ends at the ${TELEGRAM_TIMEOUT_MS} ms timeout: ${JSON.stringify(attempt)}`,
        ).toBeGreaterThanOrEqual(TELEGRAM_TIMEOUT_MS - 1_000);
        expect(
          attempt.took_ms!,
          `a hung attempt ends at the ${TELEGRAM_TIMEOUT_MS} ms timeout: ${JSON.stringify(attempt)}`,
        ).toBeLessThanOrEqual(TELEGRAM_TIMEOUT_MS + 3_000);
      }
      const stuck = attempts.filter((attempt) => attempt.took_ms === null && attempt.started_ago_ms > TELEGRAM_TIMEOUT_MS + 3_000);
      expect(stuck, 'attempts still open well past the timeout').toEqual([]);

      expect(probes.length).toBeGreaterThan(5);
      const notReady = probes.filter((probe) => probe.status !== 200 || probe.ms > MAX_ANSWER_MS);
      expect(
        notReady.map((probe) => `${probe.status} in ${probe.ms} ms: ${JSON.stringify(probe.body)}`),
        '/health/ready must stay 200 (Telegram degraded) within 5 s',
      ).toEqual([]);
      await hanging.close();
    },
    LOAD_MS + 60_000,
  );
});
