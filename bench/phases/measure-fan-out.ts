/**
 * Fan-out: with deliveries paused, N leads are captured and relayed into the delivery queues; then
 * deliveries resume and the rate at which `notification_logs` rows turn `sent` across the channels is
 * measured until every one is done. This is the rate a backlog drains at (a burst, or a provider outage
 * that just ended), with stub providers that answer at once.
 */
import type { BenchPostgres } from '../bench-postgres.ts';
import { runAmount, type LoadTarget } from '../load.ts';
import { adminPost } from '../start-leadline.ts';
import type { Service } from '../start-service.ts';

export interface FanOutResult {
  leads: number;
  channels: number;
  expected: number;
  delivered: number;
  failed: number;
  seconds: number;
  deliveriesPerSecond: number;
  /** The rate from the first to the last delivery, without the workers' wake-up after resume. */
  steadyDeliveriesPerSecond: number;
  providerMessages: number;
  /** CPU time Leadline used per delivery, and its share of one core, while the backlog drained. */
  cpuMsPerDelivery: number;
  cpuShareOfOneCore: number;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, pollMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export async function measureFanOut(options: {
  postgres: BenchPostgres;
  databaseUrl: string;
  service: Service;
  target: LoadTarget;
  leads: number;
  channels: number;
  providerMessages: () => number;
  timeoutMs: number;
  log: (line: string) => void;
}): Promise<FanOutResult> {
  const query = <T extends Record<string, unknown>>(text: string, values?: unknown[]) =>
    options.postgres.query<T>(options.databaseUrl, text, values);
  const count = async (text: string, values?: unknown[]) => Number((await query<{ n: string }>(text, values))[0]!.n);

  await adminPost(options.service, '/api/admin/pause');
  // The workers stop fetching on the NOTIFY; a batch already in hand finishes first.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  // Only deliveries of the leads queued here count, whatever an earlier phase still has in flight.
  const lastEventBefore = await count(`SELECT coalesce(max(id), 0) AS n FROM lead_events`);
  const load = await runAmount(options.target, 20, options.leads);
  if (load.ok !== options.leads)
    throw new Error(`queueing ${options.leads} leads: ${load.ok} succeeded, ${load.errors + load.non2xx} failed`);
  await waitUntil(
    'the relay to enqueue every event',
    async () => (await count(`SELECT count(*) AS n FROM lead_events WHERE processed_at IS NULL`)) === 0,
    60_000,
  );
  options.log(
    `  ${options.leads} leads queued with deliveries paused (${(options.leads / load.durationSeconds).toFixed(0)} leads/s); resuming`,
  );

  const messagesBefore = options.providerMessages();
  const expected = options.leads * options.channels;
  const cpuBefore = options.service.cpuMs();
  const wallBefore = performance.now();
  const startedAt = (await query<{ now: Date }>(`SELECT clock_timestamp() AS now`))[0]!.now;
  await adminPost(options.service, '/api/admin/resume');

  let lastLogged = Date.now();
  let delivered = 0;
  await waitUntil(
    `${expected} deliveries`,
    async () => {
      delivered = await count(`SELECT count(*) AS n FROM notification_logs WHERE status = 'sent' AND event_id > $1`, [lastEventBefore]);
      if (Date.now() - lastLogged > 2_000) {
        lastLogged = Date.now();
        options.log(`  … ${delivered}/${expected} delivered`);
      }
      return delivered >= expected;
    },
    options.timeoutMs,
    200,
  ).catch((error: unknown) => options.log(`  ${(error as Error).message}`));
  const cpuMs = options.service.cpuMs() - cpuBefore;
  const wallMs = performance.now() - wallBefore;

  const timing = (
    await query<{ first: Date | null; last: Date | null; failed: string }>(
      /* sql */ `SELECT min(finished_at) AS first, max(finished_at) AS last,
                        (SELECT count(*) FROM notification_logs WHERE status IN ('failed', 'dead') AND event_id > $1) AS failed
                 FROM notification_logs WHERE status = 'sent' AND event_id > $1`,
      [lastEventBefore],
    )
  )[0]!;
  const seconds = timing.last ? (timing.last.getTime() - startedAt.getTime()) / 1000 : Number.NaN;
  const steadySeconds = timing.first && timing.last ? (timing.last.getTime() - timing.first.getTime()) / 1000 : Number.NaN;
  const result: FanOutResult = {
    leads: options.leads,
    channels: options.channels,
    expected,
    delivered,
    failed: Number(timing.failed),
    seconds,
    deliveriesPerSecond: delivered / seconds,
    steadyDeliveriesPerSecond: delivered / steadySeconds,
    providerMessages: options.providerMessages() - messagesBefore,
    cpuMsPerDelivery: cpuMs / delivered,
    cpuShareOfOneCore: cpuMs / wallMs,
  };
  options.log(
    `  ${result.delivered}/${expected} delivered in ${seconds.toFixed(2)} s: ${result.deliveriesPerSecond.toFixed(0)} deliveries/s` +
      ` (${result.steadyDeliveriesPerSecond.toFixed(0)}/s from first to last; ${result.providerMessages} provider messages, ${result.failed} failed;` +
      ` Leadline CPU ${result.cpuMsPerDelivery.toFixed(2)} ms per delivery, ${(result.cpuShareOfOneCore * 100).toFixed(0)}% of one core)`,
  );
  return result;
}
