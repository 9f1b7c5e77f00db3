/** The summary table (console, Markdown, README) and bench/results.md. */
import { WORKER_THREAD_MIN_CORES } from '../src/config/load-config.ts';
import type { MachineInfo } from './machine-info.ts';
import type { AlertLatencyResult } from './phases/measure-alert-latency.ts';
import type { FanOutResult } from './phases/measure-fan-out.ts';
import type { LatencyResult } from './phases/measure-latency.ts';
import type { RecoveryResult, RecoveryRun } from './phases/measure-recovery.ts';
import type { ScalePoint } from './phases/measure-scale.ts';
import type { SoakResult } from './phases/measure-soak.ts';
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
  fanOutRuns: number;
  soakRatePerSecond: number;
  soakSeconds: number;
  scaleSeconds: number;
  scaleRounds: number;
  baselinePoolSize: number;
}

/** A run's results; a phase left out (`--skip`) is absent. */
export interface BenchResults {
  mode: 'full' | 'quick' | 'partial';
  command: string;
  /** How the Leadline processes were started, e.g. `node src/main.ts`. */
  leadlineCommand: string;
  machine: MachineInfo;
  postgres: { description: string; synchronousCommit: string };
  backgroundBusy: number;
  settings: BenchSettings;
  throughput?: {
    all: ThroughputResult;
    baseline: ThroughputResult;
    api: ThroughputResult;
    threaded: ThroughputResult;
    /** ROLE=all with OVERLOAD_ALERT_DELAY=0: the pipeline runs during the burst. */
    unheld: ThroughputResult;
  };
  latency?: { all: LatencyResult; baseline: LatencyResult; threaded: LatencyResult };
  alerts?: AlertLatencyResult;
  fanOut?: FanOutResult[];
  soak?: SoakResult;
  recovery?: RecoveryResult;
  scale?: ScalePoint[];
  rss: { all?: number; threaded?: number; api?: number; baseline?: number; alerts?: number };
  wallSeconds: number;
}

export interface SummaryRow {
  metric: string;
  leadline: string;
  baseline: string;
  target: string;
  pass: boolean | undefined;
}

/** The performance budget (SPEC.md, issue 12): ratios against the baseline of the same run, absolute bounds otherwise. */
export const TARGETS = {
  throughputRatio: 1.0,
  p50Ratio: 1.5,
  p99Ratio: 2.0,
  pipelineP99Ms: 1_000,
  slackP99Ms: 250,
  fanOutPerSecond: 1_000,
  rssBytes: 250 * 2 ** 20,
  /** "Recovery within seconds": every acknowledged lead alerted this soon after the restart or the database's return. */
  recoveryMs: 15_000,
};

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
const ms = (value: number | undefined) =>
  value !== undefined && Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : 'n/a';
const seconds = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? `${(value / 1000).toFixed(1)} s` : 'n/a');
const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`);
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The recovery figure of a set of fault runs: the median catch-up, and whether every run lost nothing and caught up in time. */
function recoverySummary(runs: RecoveryRun[]): { medianMs: number; ok: boolean; lost: number } {
  const times = runs.map((run) => run.catchUpMs ?? Number.POSITIVE_INFINITY);
  const lost = runs.reduce((sum, run) => sum + run.lost, 0);
  return { medianMs: median(times), ok: runs.length > 0 && lost === 0 && times.every((time) => time <= TARGETS.recoveryMs), lost };
}

export function summaryRows(results: BenchResults): SummaryRow[] {
  const { throughput, latency, alerts, fanOut, soak, recovery, rss, settings } = results;
  const rows: SummaryRow[] = [];
  if (throughput) {
    const base = throughput.baseline.medianRequestsPerSecond;
    const baseErrors = throughput.baseline.errors + throughput.baseline.non2xx;
    const row = (label: string, result: ThroughputResult, target: number | undefined): SummaryRow => {
      const value = result.medianRequestsPerSecond / base;
      const errors = result.errors + result.non2xx;
      return {
        metric: `Capture throughput, ${settings.connections} connections, ${label} (median of ${result.runs.length})`,
        leadline: `${int(result.medianRequestsPerSecond)} req/s, ${errors} errors`,
        baseline: `${int(base)} req/s, ${baseErrors} errors`,
        target: target === undefined ? ratio(value) : `${ratio(value)} (≥ ${target.toFixed(1)}×, 0 errors)`,
        pass: target === undefined ? undefined : value >= target && errors === 0,
      };
    };
    rows.push(row('ROLE=all, as `npm start` runs it', throughput.all, TARGETS.throughputRatio));
    rows.push(row('ROLE=api', throughput.api, undefined));
    rows.push(row('ROLE=all with WORKER_THREAD=true', throughput.threaded, undefined));
    rows.push(row('ROLE=all with OVERLOAD_ALERT_DELAY=0 (alerts not held during the burst)', throughput.unheld, undefined));
  }
  if (latency) {
    const runs = `median of ${latency.all.runs.length} × ${settings.latencySeconds} s`;
    const p50 = latency.all.medianP50Ms / latency.baseline.medianP50Ms;
    const p99 = latency.all.medianP99Ms / latency.baseline.medianP99Ms;
    rows.push({
      metric: `Capture p50 / p99 at a steady ${settings.latencyRatePerSecond} req/s, ROLE=all (${runs})`,
      leadline: `${ms(latency.all.medianP50Ms)} / ${ms(latency.all.medianP99Ms)}`,
      baseline: `${ms(latency.baseline.medianP50Ms)} / ${ms(latency.baseline.medianP99Ms)}`,
      target: `${ratio(p50)} / ${ratio(p99)} (≤ ${TARGETS.p50Ratio}× / ≤ ${TARGETS.p99Ratio}×)`,
      pass: p50 <= TARGETS.p50Ratio && p99 <= TARGETS.p99Ratio && latency.all.errors === 0,
    });
    rows.push({
      metric: `Lead → alert (log channel) p99 at ${settings.latencyRatePerSecond} leads/s, ROLE=all (${runs})`,
      leadline: ms(latency.all.medianPipelineP99Ms),
      baseline: '—',
      target: `≤ ${int(TARGETS.pipelineP99Ms)} ms`,
      pass: latency.all.medianPipelineP99Ms !== undefined && latency.all.medianPipelineP99Ms <= TARGETS.pipelineP99Ms,
    });
    rows.push({
      metric: `Capture p50 / p99 at ${settings.latencyRatePerSecond} req/s, ROLE=all with WORKER_THREAD=true`,
      leadline: `${ms(latency.threaded.medianP50Ms)} / ${ms(latency.threaded.medianP99Ms)}`,
      baseline: `${ms(latency.baseline.medianP50Ms)} / ${ms(latency.baseline.medianP99Ms)}`,
      target: `${ratio(latency.threaded.medianP50Ms / latency.baseline.medianP50Ms)} / ${ratio(latency.threaded.medianP99Ms / latency.baseline.medianP99Ms)}`,
      pass: undefined,
    });
  }
  if (alerts) {
    const slack = alerts.channels.find((channel) => channel.channel === 'slack');
    rows.push({
      metric: `Lead → Slack stub p50 / p95 / p99 at ${alerts.ratePerSecond} leads/s for ${alerts.seconds} s`,
      leadline: slack ? `${int(slack.p50Ms)} / ${int(slack.p95Ms)} / ${int(slack.p99Ms)} ms, ${slack.missing} missing` : 'n/a',
      baseline: '—',
      target: `p99 ≤ ${TARGETS.slackP99Ms} ms`,
      pass: slack !== undefined && slack.p99Ms <= TARGETS.slackP99Ms && slack.missing === 0 && alerts.captureErrors === 0,
    });
  }
  if (fanOut && fanOut.length > 0) {
    const rate = median(fanOut.map((run) => run.deliveriesPerSecond));
    const first = fanOut[0]!;
    rows.push({
      metric: `Fan-out to ${first.channels} stub channels (${int(first.leads)} leads queued while paused; median of ${fanOut.length})`,
      leadline: `${int(rate)} deliveries/s`,
      baseline: '—',
      target: `≥ ${int(TARGETS.fanOutPerSecond)}/s`,
      pass: rate >= TARGETS.fanOutPerSecond && fanOut.every((run) => run.delivered === run.expected && run.failed === 0),
    });
  }
  if (rss.all !== undefined) {
    rows.push({
      metric: 'Peak RSS under the capture load (VmHWM, ROLE=all)',
      leadline: mb(rss.all),
      baseline: mb(rss.baseline),
      target: `≤ ${mb(TARGETS.rssBytes)}`,
      pass: rss.all <= TARGETS.rssBytes,
    });
  }
  if (soak) {
    rows.push({
      metric: `Soak: ${int(soak.ratePerSecond)} leads/s for ${soak.seconds} s with Slack, email and Telegram: peak RSS (capture p99, errors)`,
      leadline: `${mb(soak.peakRssBytes)} (p99 ${ms(soak.p99Ms)}, ${soak.errors} errors)`,
      baseline: '—',
      target: `≤ ${mb(TARGETS.rssBytes)}, 0 errors`,
      pass: soak.peakRssBytes <= TARGETS.rssBytes && soak.errors === 0,
    });
  }
  if (recovery) {
    const kill = recoverySummary(recovery.kill);
    const outage = recoverySummary(recovery.outage);
    rows.push({
      metric: `kill -9 of npm start mid-burst → every acknowledged lead alerted (median of ${recovery.kill.length})`,
      leadline: `${seconds(kill.medianMs)} after the restart, ${kill.lost} lost`,
      baseline: '—',
      target: `≤ ${seconds(TARGETS.recoveryMs)}, 0 lost`,
      pass: kill.ok,
    });
    rows.push({
      metric: `Database outage → every lead of it alerted (${recovery.outage.map((run) => run.test.replace('database outage ', '')).join(', ')})`,
      leadline: `${seconds(outage.medianMs)} after it came back (median), ${outage.lost} lost`,
      baseline: '—',
      target: `≤ ${seconds(TARGETS.recoveryMs)}, 0 lost`,
      pass: outage.ok,
    });
  }
  return rows;
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

/** The README's table: the summary of results.md, with the run it came from. */
export function readmeTable(results: BenchResults): string {
  return [
    `Measured by \`npm run bench\` on ${results.machine.date} (${results.machine.cores} cores, ${results.machine.cpuModel}, Node ${results.machine.node}, ${results.postgres.description}); every run and the method are in [bench/results.md](bench/results.md).`,
    '',
    markdownTable(summaryRows(results)),
  ].join('\n');
}

export function resultsMarkdown(results: BenchResults): string {
  const { machine, settings, throughput, latency, alerts, fanOut, soak, recovery, rss } = results;
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const titles = {
    full: '',
    quick: ' (quick smoke run: short phases, not the reference numbers)',
    partial: ' (partial run: some phases left out)',
  };
  push(`# Leadline benchmark results${titles[results.mode]}`, '');
  push(
    `Written by \`${results.command}\` on ${machine.date} (${results.wallSeconds.toFixed(0)} s wall time). Do not edit by hand: run the bench again.`,
    '',
  );
  push('## Machine', '', '| | |', '|---|---|');
  push(`| CPU | ${machine.cores} cores, ${machine.cpuModel} |`);
  push(`| memory | ${machine.memoryGiB} GiB |`);
  push(`| OS | ${machine.kernel} |`);
  push(`| Node.js | ${machine.node} |`);
  push(`| Leadline | \`${results.leadlineCommand}\` (the flags of \`npm start\`) |`);
  push(
    `| PostgreSQL | ${results.postgres.description}, synchronous_commit=${results.postgres.synchronousCommit}, same server for Leadline and the baseline (a fresh database each) |`,
  );
  push(
    `| load before the run | ${(results.backgroundBusy * 100).toFixed(0)}% of the CPUs busy with other work; load average ${machine.loadAverage} |`,
    '',
  );
  push('## Summary', '', markdownTable(summaryRows(results)), '');
  push('Notes:', '');
  push(
    `- Everything runs on this one machine over loopback: Postgres, Leadline, the baseline, the stub providers and the load generator (autocannon 8) share the ${machine.cores} cores. Each server is its own process; RSS is read from \`/proc/<pid>/status\` (VmHWM: the process's peak since start, both threads of ROLE=all included).`,
    `- Headline configuration: \`ROLE=all\` as \`npm start\` runs it (NODE_ENV=production, LOG_LEVEL=info, default pool sizes), with no provider configured, so every lead is also relayed and delivered to the \`log\` channel while the load runs. With \`WORKER_THREAD=auto\` (the default) the relay, delivery workers and SLA monitor share the API's event loop on a machine with fewer than ${WORKER_THREAD_MIN_CORES} cores, as here (${machine.cores}), and get a worker thread of their own on a larger one; "WORKER_THREAD=true" forces the thread. \`ROLE=api\` has no workers at all (they run elsewhere in a scaled deployment). At 50 connections the API is overloaded (out of CPU with visitors waiting) a second into each turn, and from then on \`ROLE=all\` holds new alerts back until the burst has passed (at most \`OVERLOAD_ALERT_DELAY\`, 30 s); its backlog goes out after the turn ("workers caught up after"). The "OVERLOAD_ALERT_DELAY=0" row is the same process with the pipeline running during the burst.`,
    `- Baseline (bench/baseline-server.ts): Express 5 + \`express.json()\` + pg (pool of ${settings.baselinePoolSize}), one transaction (BEGIN, 4 INSERTs: conversation, chat message, \`lead.created\` event, timeline row, a NOTIFY for a relay, COMMIT) on the same schema; no validation, scoring, idempotency or rate limiting.`,
    `- Requests: \`POST /api/leads\` with a ~1 KB JSON body (contact, message, UTM metadata, custom fields), a different name and email each, so none is a double submit. Throughput: closed loop at ${settings.connections} connections, the contenders taking turns ${settings.rounds} times for ${settings.seconds} s after a warm-up; after a turn of a contender with workers, they finish its backlog before the next turn starts.`,
    `- Latency: a steady ${settings.latencyRatePerSecond} requests/s from 100 single-connection autocannon instances whose starts are spread over one second. Percentiles are exact (every response's time). Lead → alert is from each lead's \`created_at\` to its log-channel alert's \`finished_at\`, over every lead of the run, read after the workers caught up.`,
    `- Alerts, fan-out and the soak use a Leadline (ROLE=all) with the three stub providers of test/stubs (Slack webhook, SMTP, Telegram Bot API) in the bench process, with \`SLACK_MIN_INTERVAL=0\` and \`TELEGRAM_MIN_INTERVAL=0\`: the stubs have no rate limit, so this is the pipeline's speed, not Slack's pace (with Slack's real pace Leadline folds a backlog into summary messages). Alert latency is from the lead's \`created_at\` to the stub's receipt of the message that names it.`,
    `- Recovery comes from the fault suite's long form (test/faults, \`FAULT_SUITE=long\`), against its own embedded Postgres, real processes and the stubs with the product's default pacing (Slack one message a second); catch-up is from the restart, or the database's return, to the last first alert of an acknowledged lead.`,
    '',
  );
  push('## Details', '');
  if (throughput) {
    push('### Capture throughput (per turn)', '');
    push(
      '| contender | req/s per turn | median | errors | p50 / p99 at 50 connections (median) | CPU per request: the process / the whole machine | workers caught up after |',
      '|---|---|---|---|---|---|---|',
    );
    for (const result of [throughput.all, throughput.baseline, throughput.api, throughput.threaded, throughput.unheld]) {
      push(
        `| ${result.label} | ${result.runs.map((run) => int(run.requestsPerSecond)).join(', ')} | ${int(result.medianRequestsPerSecond)} | ${result.errors + result.non2xx} | ` +
          `${ms(median(result.runs.map((run) => run.p50Ms)))} / ${ms(median(result.runs.map((run) => run.p99Ms)))} | ${result.medianCpuMsPerRequest.toFixed(2)} / ${result.medianMachineCpuMsPerRequest.toFixed(2)} ms | ` +
          `${result.medianSettleMs === undefined ? '—' : `${seconds(result.medianSettleMs)} (median)`} |`,
      );
    }
    push('');
  }
  if (latency) {
    push(`### Capture latency at ${settings.latencyRatePerSecond} req/s (per run)`, '');
    push('| contender | p50 per run | p99 per run | max per run | lead → alert p50 / p99 per run | errors |', '|---|---|---|---|---|---|');
    for (const result of [latency.all, latency.baseline, latency.threaded]) {
      const pipeline = result.runs.every((run) => run.pipeline)
        ? result.runs
            .map(
              (run) => `${int(run.pipeline!.p50Ms)} / ${int(run.pipeline!.p99Ms)} ms (${run.pipeline!.delivered}/${run.pipeline!.leads})`,
            )
            .join(', ')
        : '—';
      push(
        `| ${result.label} | ${result.runs.map((run) => ms(run.p50Ms)).join(', ')} | ${result.runs.map((run) => ms(run.p99Ms)).join(', ')} | ${result.runs.map((run) => ms(run.maxMs)).join(', ')} | ${pipeline} | ${result.errors} |`,
      );
    }
    push('');
  }
  if (alerts) {
    push(
      `### Lead → alert latency at ${alerts.ratePerSecond} leads/s for ${alerts.seconds} s (${int(alerts.captured)} leads, ${alerts.captureErrors} capture errors)`,
      '',
      '| channel | delivered | missing | p50 | p95 | p99 | max |',
      '|---|---|---|---|---|---|---|',
    );
    for (const channel of alerts.channels) {
      push(
        `| ${channel.channel} | ${int(channel.delivered)} | ${channel.missing} | ${int(channel.p50Ms)} ms | ${int(channel.p95Ms)} ms | ${int(channel.p99Ms)} ms | ${int(channel.maxMs)} ms |`,
      );
    }
    push('');
  }
  if (fanOut && fanOut.length > 0) {
    push(
      '### Fan-out (per run)',
      '',
      '| run | delivered | seconds from resume | deliveries/s | first → last | provider messages | failed | CPU per delivery |',
      '|---|---|---|---|---|---|---|---|',
    );
    fanOut.forEach((run, index) =>
      push(
        `| ${index + 1} | ${int(run.delivered)}/${int(run.expected)} | ${run.seconds.toFixed(2)} s | ${int(run.deliveriesPerSecond)} | ${int(run.steadyDeliveriesPerSecond)}/s | ${int(run.providerMessages)} | ${run.failed} | ${run.cpuMsPerDelivery.toFixed(2)} ms (${(run.cpuShareOfOneCore * 100).toFixed(0)}% of a core) |`,
      ),
    );
    push(
      '',
      `Each run: ${int(fanOut[0]!.leads)} leads captured with deliveries paused, then resumed; the rate is deliveries (lead × channel) from the resume to the last one.`,
      '',
    );
  }
  if (soak) {
    push('### Soak', '');
    push(
      `${int(soak.ok)} leads at ${soak.ratePerSecond.toFixed(0)}/s for ${soak.seconds} s, ${soak.errors} errors, capture p50 ${ms(soak.p50Ms)}, p99 ${ms(soak.p99Ms)}; ` +
        `every alert delivered on the three channels ${seconds(soak.drainedAfterMs)} after the load. Peak RSS ${mb(soak.peakRssBytes)}; RSS every 10 s: ${soak.rssEvery10sBytes.map(mb).join(', ')}.`,
      '',
    );
  }
  if (recovery) {
    push(
      '### Recovery (fault suite, long form)',
      '',
      '| fault | lost | duplicated (flagged) | max answer | catch-up |',
      '|---|---|---|---|---|',
    );
    for (const run of [...recovery.kill, ...recovery.outage])
      push(
        `| ${run.test} | ${run.lost} | ${run.duplicated} (${run.duplicatedFlagged}) | ${int(run.maxAnswerMs)} ms | ${seconds(run.catchUpMs)} |`,
      );
    push('', `The suite's own assertions ${recovery.passed ? 'passed' : 'FAILED (see the bench output)'}.`, '');
  }
  push('### Memory (VmHWM)', '');
  push(
    `Leadline ROLE=all ${mb(rss.all)}, ROLE=all with WORKER_THREAD=true ${mb(rss.threaded)}, ROLE=api ${mb(rss.api)}, ROLE=all with the three stub channels after the alert and fan-out phases ${mb(rss.alerts)}, baseline ${mb(rss.baseline)}.`,
  );
  if (results.scale) {
    push('', '### Scale-out: API and worker processes against one Postgres', '');
    push(
      '| ROLE=api × ROLE=worker processes | capture req/s (50 connections in all) | errors | Postgres CPU per request | machine busy | workers caught up after a round | peak RSS per process |',
      '|---|---|---|---|---|---|---|',
    );
    for (const point of results.scale)
      push(
        `| ${point.apiProcesses} × ${point.workerProcesses} | ${int(point.requestsPerSecond)} | ${point.errors} | ${point.postgresCpuMsPerRequest.toFixed(2)} ms | ${(point.machineBusy * 100).toFixed(0)}% | ${seconds(point.workersCaughtUpMs)} | ${mb(point.peakRssBytes)} |`,
      );
  }
  push('');
  return out.join('\n');
}
