import type { Logger } from 'pino';
import type { Pool } from '../db/create-pool.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import type { Clock } from '../shared/clock.ts';
import { yesterdayIn } from './digest-date.ts';
import { sendDigest } from './send-digest.ts';

export const DIGEST_QUEUE = 'daily-digest';

export interface DailyDigestDeps {
  db: Pool;
  /** Tells the relay, after the commit, that the digest's event is there. */
  announce?: AnnounceEvents | undefined;
  boss: JobQueue;
  clock: Clock;
  logger: Logger;
  /** DIGEST_CRON, evaluated by pg-boss in `timeZone`. */
  cron: string;
  /** DIGEST_TZ. */
  timeZone: string;
  adminUrl?: string | undefined;
}

/**
 * Registers the daily digest with pg-boss's scheduler (`schedule` is an upsert, so every worker may call it)
 * and works its jobs: each builds yesterday's digest in DIGEST_TZ. pg-boss creates one job per cron slot
 * and the digest is keyed on the date, so several workers send one digest a day.
 */
export async function startDailyDigest(deps: DailyDigestDeps): Promise<{ stop(): Promise<void> }> {
  await deps.boss.createQueue(DIGEST_QUEUE, { notify: true, retryLimit: 5, retryDelay: 60, retryBackoff: true, expireInSeconds: 300 });
  // DIGEST_CRON and DIGEST_TZ were checked with the config, at start-up, for every role.
  await deps.boss.schedule(DIGEST_QUEUE, deps.cron, {}, { tz: deps.timeZone });
  const workerId = await deps.boss.work(DIGEST_QUEUE, { pollingIntervalSeconds: 5 }, async () => {
    const date = yesterdayIn(deps.clock.now(), deps.timeZone);
    const result = await sendDigest({ db: deps.db, clock: deps.clock, timeZone: deps.timeZone, adminUrl: deps.adminUrl }, date);
    if (result.sent) deps.announce?.();
    deps.logger.info(
      { date, sent: result.sent, leads: result.digest.leads.total, breaches: result.digest.breaches.total },
      result.sent ? 'daily digest written for delivery' : 'daily digest for this date was already sent',
    );
  });
  return {
    async stop() {
      await deps.boss.offWork(DIGEST_QUEUE, { id: workerId, wait: true });
    },
  };
}
