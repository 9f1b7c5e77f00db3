/**
 * The soak: a steady capture rate for minutes against a Leadline with Slack, email and Telegram configured
 * (stub providers), as a busy site would run it. Memory is sampled every second (VmRSS) and the process's
 * peak (VmHWM) read at the end; after the load, the time until every lead was delivered on every channel.
 */
import { percentile, runSteadyRate, type LoadTarget } from '../load.ts';
import type { Service } from '../start-service.ts';

export interface SoakResult {
  ratePerSecond: number;
  seconds: number;
  ok: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  /** VmHWM at the end: the process's peak resident memory since it started. */
  peakRssBytes: number;
  /** VmRSS every 10 s of the soak, to show whether memory levels off or keeps growing. */
  rssEvery10sBytes: number[];
  /** From the end of the load until every lead was delivered on every channel. */
  drainedAfterMs: number;
}

export async function measureSoak(options: {
  service: Service;
  target: LoadTarget;
  ratePerSecond: number;
  seconds: number;
  /** Waits until the workers have delivered everything; returns how long that took. */
  settle: () => Promise<number>;
  log: (line: string) => void;
}): Promise<SoakResult> {
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(options.service.memory().currentBytes), 1_000);
  const progress = setInterval(
    () => options.log(`  soak: ${samples.length} s, RSS ${((samples.at(-1) ?? 0) / 2 ** 20).toFixed(0)} MB`),
    30_000,
  );
  let load;
  try {
    load = await runSteadyRate(options.target, options.ratePerSecond, options.seconds, Math.min(100, options.ratePerSecond));
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
  }
  const drainedAfterMs = await options.settle();
  const result: SoakResult = {
    ratePerSecond: load.requestsPerSecond,
    seconds: options.seconds,
    ok: load.ok,
    errors: load.errors + load.non2xx,
    p50Ms: percentile(load.latenciesMs, 50),
    p99Ms: percentile(load.latenciesMs, 99),
    peakRssBytes: options.service.memory().peakBytes,
    rssEvery10sBytes: samples.filter((_, index) => index % 10 === 9),
    drainedAfterMs,
  };
  options.log(
    `  soak done: ${result.ok} leads at ${result.ratePerSecond.toFixed(0)}/s, errors ${result.errors}, p50 ${result.p50Ms.toFixed(1)} ms, ` +
      `p99 ${result.p99Ms.toFixed(1)} ms, peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB, delivered ${(drainedAfterMs / 1000).toFixed(1)} s after the load`,
  );
  return result;
}
