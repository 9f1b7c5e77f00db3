/** The summary table (console and Markdown) and bench/results.md. */
import type { MachineInfo } from './machine-info.ts';
import type { AlertLatencyResult } from './phases/measure-alert-latency.ts';
import type { FanOutResult } from './phases/measure-fan-out.ts';
import type { LatencyResult } from './phases/measure-latency.ts';
import type { ScalePoint } from './phases/measure-scale.ts';
import type { ThroughputResult } from './phases/measure-throughput.ts';

export interface BenchSettings {
  connections: number;
  rounds: number;
  seconds: number;
  latencyRatePerSecond: number;
  latencyRuns: number;
  latencySeconds: number;
  alertRatePerSecond: number;
  alertSeconds: number;
  fanOutLeads: number;
  baselinePoolSize: number;
}

export interface BenchResults {
  mode: 'full' | 'quick';
  command: string;
  /** How the Leadline processes were started, e.g. `node src/main.ts`. */
  leadlineCommand: string;
  machine: MachineInfo;
  postgres: { description: string; synchronousCommit: string };
  backgroundBusy: number;
  settings: BenchSettings;
  throughput: { all: ThroughputResult; baseline: ThroughputResult; api: ThroughputResult };
  latency: { all: LatencyResult; baseline: LatencyResult };
  alerts: AlertLatencyResult;
  fanOut: FanOutResult;
  rss: { all: number; api: number; baseline: number; alerts: number };
  scale: ScalePoint[] | undefined;
  wallSeconds: number;
}

export interface SummaryRow {
  metric: string;
  leadline: string;
  baseline: string;
  target: string;
  pass: boolean | undefined;
}

const TARGETS = {
  throughputRatio: 0.8,
  p50Ms: 5,
  p99Ms: 50,
  slackP99Ms: 250,
  fanOutPerSecond: 1000,
  rssBytes: 250 * 2 ** 20,
};

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
const ms = (value: number) => (Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : 'n/a');
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

export function summaryRows(results: BenchResults): SummaryRow[] {
  const { throughput, latency, alerts, fanOut, rss, settings } = results;
  const base = throughput.baseline.medianRequestsPerSecond;
  const throughputRow = (label: string, result: ThroughputResult): SummaryRow => {
    const ratio = result.medianRequestsPerSecond / base;
    const errors = result.errors + result.non2xx;
    return {
      metric: `Capture throughput, ${settings.connections} connections, ${label} (median of ${result.runs.length})`,
      leadline: `${int(result.medianRequestsPerSecond)} req/s, ${errors} errors`,
      baseline: `${int(base)} req/s, ${throughput.baseline.errors + throughput.baseline.non2xx} errors`,
      target: `${ratio.toFixed(2)} (≥ ${TARGETS.throughputRatio.toFixed(2)}, 0 errors)`,
      pass: ratio >= TARGETS.throughputRatio && errors === 0,
    };
  };
  const slack = alerts.channels.find((channel) => channel.channel === 'slack');
  return [
    throughputRow('ROLE=all (headline)', throughput.all),
    throughputRow('ROLE=api', throughput.api),
    {
      metric: `Capture p50 at a steady ${settings.latencyRatePerSecond} req/s (median of ${latency.all.runs.length} × ${settings.latencySeconds} s)`,
      leadline: ms(latency.all.medianP50Ms),
      baseline: ms(latency.baseline.medianP50Ms),
      target: `≤ ${TARGETS.p50Ms} ms`,
      pass: latency.all.medianP50Ms <= TARGETS.p50Ms && latency.all.errors === 0,
    },
    {
      metric: `Capture p99 at a steady ${settings.latencyRatePerSecond} req/s (median of ${latency.all.runs.length} × ${settings.latencySeconds} s)`,
      leadline: ms(latency.all.medianP99Ms),
      baseline: ms(latency.baseline.medianP99Ms),
      target: `≤ ${TARGETS.p99Ms} ms`,
      pass: latency.all.medianP99Ms <= TARGETS.p99Ms && latency.all.errors === 0,
    },
    {
      metric: `Lead → Slack stub p50 / p95 / p99 at ${alerts.ratePerSecond} leads/s for ${alerts.seconds} s`,
      leadline: slack ? `${int(slack.p50Ms)} / ${int(slack.p95Ms)} / ${int(slack.p99Ms)} ms, ${slack.missing} missing` : 'n/a',
      baseline: '—',
      target: `p99 ≤ ${TARGETS.slackP99Ms} ms`,
      pass: slack !== undefined && slack.p99Ms <= TARGETS.slackP99Ms && slack.missing === 0 && alerts.captureErrors === 0,
    },
    {
      metric: `Fan-out to ${fanOut.channels} stub channels (${int(fanOut.leads)} leads queued while paused)`,
      leadline: `${int(fanOut.deliveriesPerSecond)} deliveries/s (${int(fanOut.delivered)}/${int(fanOut.expected)})`,
      baseline: '—',
      target: `≥ ${int(TARGETS.fanOutPerSecond)}/s`,
      pass: fanOut.deliveriesPerSecond >= TARGETS.fanOutPerSecond && fanOut.delivered === fanOut.expected && fanOut.failed === 0,
    },
    {
      metric: 'Peak RSS under the capture load (VmHWM, ROLE=all)',
      leadline: mb(rss.all),
      baseline: mb(rss.baseline),
      target: `≤ ${mb(TARGETS.rssBytes)}`,
      pass: rss.all <= TARGETS.rssBytes,
    },
  ];
}

const verdict = (pass: boolean | undefined) => (pass === undefined ? 'info' : pass ? 'pass' : 'FAIL');

export function consoleTable(rows: SummaryRow[]): string {
  const header = ['metric', 'Leadline', 'baseline', 'ratio / target', 'result'];
  const cells = rows.map((row) => [row.metric, row.leadline, row.baseline, row.target, verdict(row.pass)]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const line = (values: string[]) => values.map((value, column) => value.padEnd(widths[column]!)).join(' | ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('-|-'), ...cells.map(line)].join('\n');
}

export function markdownTable(rows: SummaryRow[]): string {
  return [
    '| metric | Leadline | baseline | ratio / target | result |',
    '|---|---|---|---|---|',
    ...rows.map((row) => `| ${row.metric} | ${row.leadline} | ${row.baseline} | ${row.target} | ${verdict(row.pass)} |`),
  ].join('\n');
}

export function resultsMarkdown(results: BenchResults): string {
  const { machine, settings, throughput, latency, alerts, fanOut, rss } = results;
  const out: string[] = [];
  out.push(`# Leadline benchmark results${results.mode === 'quick' ? ' (quick smoke run: short phases, not the reference numbers)' : ''}`);
  out.push('');
  out.push(
    `Written by \`${results.command}\` on ${machine.date} (${results.wallSeconds.toFixed(0)} s wall time). Do not edit by hand: run the bench again.`,
  );
  out.push('');
  out.push('## Machine');
  out.push('');
  out.push('| | |');
  out.push('|---|---|');
  out.push(`| CPU | ${machine.cores} cores, ${machine.cpuModel} |`);
  out.push(`| memory | ${machine.memoryGiB} GiB |`);
  out.push(`| OS | ${machine.kernel} |`);
  out.push(`| Node.js | ${machine.node} |`);
  out.push(`| Leadline | \`${results.leadlineCommand}\` (the flags of \`npm start\`) |`);
  out.push(
    `| PostgreSQL | ${results.postgres.description}, synchronous_commit=${results.postgres.synchronousCommit}, same server for Leadline and the baseline (a fresh database each) |`,
  );
  out.push(
    `| load before the run | ${(results.backgroundBusy * 100).toFixed(0)}% of the CPUs busy with other work; load average ${machine.loadAverage} |`,
  );
  out.push('');
  out.push('## Summary');
  out.push('');
  out.push(markdownTable(summaryRows(results)));
  out.push('');
  out.push('Notes:');
  out.push('');
  out.push(
    `- Everything runs on this one machine over loopback: Postgres, Leadline, the baseline, the stub providers and the load generator (autocannon ${'8'}) share the ${machine.cores} cores. Leadline and the baseline each run as their own process; RSS is read from \`/proc/<pid>/status\` (VmHWM: the process's peak since start).`,
  );
  out.push(
    `- Headline configuration: \`ROLE=all\` as \`npm start\` runs it (HTTP, relay and delivery workers in one process, NODE_ENV=production, LOG_LEVEL=info, default pool sizes), with no provider configured, so every lead is also relayed and delivered to the \`log\` channel while the load runs. \`ROLE=api\` is the same process without the relay and workers (they run elsewhere in a scaled deployment).`,
  );
  out.push(
    `- Baseline (bench/baseline-server.ts): Express 5 + \`express.json()\` + pg (pool of ${settings.baselinePoolSize}), one transaction (BEGIN, 4 INSERTs: conversation, chat message, \`lead.created\` event, timeline row, COMMIT) on the same schema, including the outbox NOTIFY trigger; no validation, scoring, idempotency or rate limiting.`,
  );
  out.push(
    `- Requests: \`POST /api/leads\` with a ~1 KB JSON body (contact, message, UTM metadata, custom fields), a different name and email each, so none is a double submit. Throughput: closed loop at ${settings.connections} connections, the contenders taking turns (Leadline ROLE=all, baseline, Leadline ROLE=api) ${settings.rounds} times for ${settings.seconds} s after a warm-up; after each ROLE=all turn its workers finish the backlog before the next turn starts.`,
  );
  out.push(
    `- Latency: a steady ${settings.latencyRatePerSecond} requests/s from 100 single-connection autocannon instances whose starts are spread over one second (autocannon's own rate limit sends each connection's quota back to back, which would measure bursts). Percentiles are exact (from every response's time), not autocannon's whole-millisecond histogram. Single runs are noisy because the disk's fsync stalls now and then (raw fdatasync p99.9 reaches 70 ms on this disk), so the table gives the median of the runs' p50 and p99.`,
  );
  out.push(
    `- Alerts and fan-out use a second Leadline (ROLE=all) with the three stub providers of test/stubs (Slack webhook, SMTP, Telegram Bot API) in the bench process, with \`SLACK_MIN_INTERVAL=0\` and \`TELEGRAM_MIN_INTERVAL=0\`: the stubs have no rate limit. With Slack's real pacing (1 message/s per webhook) Leadline coalesces a burst into summary messages instead, so the Slack latency here is the pipeline's, not Slack's. Latency is from the lead's \`created_at\` to the stub's receipt of the message that names it.`,
  );
  out.push('');
  out.push('## Details');
  out.push('');
  out.push('### Capture throughput (per turn)');
  out.push('');
  out.push(
    '| contender | req/s per turn | median | errors | p50 / p99 at 50 connections (median) | CPU per request: the process / the whole machine | workers caught up after |',
  );
  out.push('|---|---|---|---|---|---|---|');
  for (const result of [throughput.all, throughput.baseline, throughput.api]) {
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
    out.push(
      `| ${result.label} | ${result.runs.map((run) => int(run.requestsPerSecond)).join(', ')} | ${int(result.medianRequestsPerSecond)} | ${result.errors + result.non2xx} | ` +
        `${ms(median(result.runs.map((run) => run.p50Ms)))} / ${ms(median(result.runs.map((run) => run.p99Ms)))} | ${result.medianCpuMsPerRequest.toFixed(2)} / ${result.medianMachineCpuMsPerRequest.toFixed(2)} ms | ` +
        `${result.medianSettleMs === undefined ? '—' : `${(result.medianSettleMs / 1000).toFixed(1)} s (median)`} |`,
    );
  }
  out.push('');
  out.push(`### Capture latency at ${settings.latencyRatePerSecond} req/s (per run)`);
  out.push('');
  out.push('| contender | p50 per run | p99 per run | max per run | errors |');
  out.push('|---|---|---|---|---|');
  for (const result of [latency.all, latency.baseline]) {
    out.push(
      `| ${result.label} | ${result.runs.map((run) => ms(run.p50Ms)).join(', ')} | ${result.runs.map((run) => ms(run.p99Ms)).join(', ')} | ${result.runs.map((run) => ms(run.maxMs)).join(', ')} | ${result.errors} |`,
    );
  }
  out.push('');
  out.push(
    `### Lead → alert latency at ${alerts.ratePerSecond} leads/s for ${alerts.seconds} s (${int(alerts.captured)} leads, ${alerts.captureErrors} capture errors)`,
  );
  out.push('');
  out.push('| channel | delivered | missing | p50 | p95 | p99 | max |');
  out.push('|---|---|---|---|---|---|---|');
  for (const channel of alerts.channels) {
    out.push(
      `| ${channel.channel} | ${int(channel.delivered)} | ${channel.missing} | ${int(channel.p50Ms)} ms | ${int(channel.p95Ms)} ms | ${int(channel.p99Ms)} ms | ${int(channel.maxMs)} ms |`,
    );
  }
  out.push('');
  out.push('### Fan-out');
  out.push('');
  out.push(
    `${int(fanOut.leads)} leads captured with deliveries paused, then resumed: ${int(fanOut.delivered)} of ${int(fanOut.expected)} deliveries sent in ${fanOut.seconds.toFixed(2)} s from the resume ` +
      `(${int(fanOut.deliveriesPerSecond)}/s; ${int(fanOut.steadyDeliveriesPerSecond)}/s from the first delivery to the last), ${int(fanOut.providerMessages)} provider messages, ${fanOut.failed} failed attempts. ` +
      `Leadline used ${fanOut.cpuMsPerDelivery.toFixed(2)} ms of CPU per delivery (${(fanOut.cpuShareOfOneCore * 100).toFixed(0)}% of one core while draining).`,
  );
  out.push('');
  out.push('### Memory (VmHWM)');
  out.push('');
  out.push(
    `Leadline ROLE=all ${mb(rss.all)}, ROLE=api ${mb(rss.api)}, ROLE=all with the three stub channels after the alert and fan-out phases ${mb(rss.alerts)}, baseline ${mb(rss.baseline)}.`,
  );
  if (results.scale) {
    out.push('');
    out.push('### Scale: API processes against one Postgres');
    out.push('');
    out.push('| ROLE=api processes | capture req/s (50 connections in all) | errors | peak RSS per process |');
    out.push('|---|---|---|---|');
    for (const point of results.scale)
      out.push(`| ${point.processes} | ${int(point.requestsPerSecond)} | ${point.errors} | ${mb(point.peakRssBytes)} |`);
  }
  out.push('');
  return out.join('\n');
}
