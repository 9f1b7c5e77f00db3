/**
 * Lead → alert latency: leads arrive at a steady rate; each lead's name carries a unique marker, and the
 * time from the lead's `created_at` to the stub provider's receipt of the message naming it is the latency.
 * Slack is the target; email and Telegram are reported beside it.
 */
import { percentile, runSteadyRate, type LoadTarget } from '../load.ts';
import type { BenchPostgres } from '../bench-postgres.ts';

export interface ChannelLatency {
  channel: string;
  delivered: number;
  missing: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface AlertLatencyResult {
  captured: number;
  captureErrors: number;
  ratePerSecond: number;
  seconds: number;
  channels: ChannelLatency[];
}

/** Where a stub keeps what it received: arrival time and the text to find the marker in. */
export interface ReceivedSource {
  channel: string;
  received: () => { at: number; text: string }[];
}

export async function measureAlertLatency(options: {
  postgres: BenchPostgres;
  databaseUrl: string;
  target: LoadTarget;
  tag: string;
  ratePerSecond: number;
  seconds: number;
  sources: ReceivedSource[];
  log: (line: string) => void;
}): Promise<AlertLatencyResult> {
  const load = await runSteadyRate(options.target, options.ratePerSecond, options.seconds, Math.min(50, options.ratePerSecond));
  options.log(
    `  sent ${load.ok} leads at ${load.requestsPerSecond.toFixed(0)}/s (errors ${load.errors + load.non2xx}); waiting for the last alerts`,
  );

  const rows = await options.postgres.query<{ name: string; created_at: Date }>(
    options.databaseUrl,
    /* sql */ `SELECT name, created_at FROM conversations WHERE name LIKE $1`,
    [`Bench Lead ${options.tag}x%`],
  );
  const createdAt = new Map(rows.map((row) => [row.name.slice('Bench Lead '.length), row.created_at.getTime()]));
  const pattern = new RegExp(`(${options.tag}x\\d+)`, 'g');

  const arrivals = (source: ReceivedSource): Map<string, number> => {
    const first = new Map<string, number>();
    for (const entry of source.received()) {
      for (const match of entry.text.matchAll(pattern)) {
        const marker = match[1]!;
        if (createdAt.has(marker) && !first.has(marker)) first.set(marker, entry.at);
      }
    }
    return first;
  };

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && options.sources.some((source) => arrivals(source).size < createdAt.size)) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  const channels = options.sources.map((source) => {
    const seen = arrivals(source);
    const latencies = [...seen].map(([marker, at]) => at - createdAt.get(marker)!);
    return {
      channel: source.channel,
      delivered: seen.size,
      missing: createdAt.size - seen.size,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      p99Ms: percentile(latencies, 99),
      maxMs: percentile(latencies, 100),
    };
  });
  for (const channel of channels) {
    options.log(
      `  ${channel.channel.padEnd(8)} ${channel.delivered} alerts (missing ${channel.missing})  p50 ${channel.p50Ms.toFixed(0)} ms  p95 ${channel.p95Ms.toFixed(0)} ms` +
        `  p99 ${channel.p99Ms.toFixed(0)} ms  max ${channel.maxMs.toFixed(0)} ms`,
    );
  }
  return {
    captured: createdAt.size,
    captureErrors: load.errors + load.non2xx,
    ratePerSecond: options.ratePerSecond,
    seconds: options.seconds,
    channels,
  };
}
