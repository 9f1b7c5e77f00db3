/**
 * `npm run bench`: Leadline beside a bare Express + pg baseline on the same Postgres, over loopback.
 *
 *   npm run bench                 the reference run (about 6 minutes), writes bench/results.md
 *   npm run bench -- --quick      a one-minute smoke run (its results go to the temporary directory)
 *   npm run bench -- --scale      also measures 1, 2 and 4 API processes against one Postgres
 *
 * BENCH_DATABASE_URL=postgres://… uses that server (fresh databases, dropped afterwards) instead of a
 * fresh embedded PostgreSQL in a temporary directory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';
import { startSlackStub } from '../test/stubs/start-slack-stub.ts';
import { startSmtpStub } from '../test/stubs/start-smtp-stub.ts';
import { startTelegramStub } from '../test/stubs/start-telegram-stub.ts';
import { openBenchPostgres, type BenchPostgres } from './bench-postgres.ts';
import { leadBody } from './lead-body.ts';
import { runSteadyRate, type LoadTarget } from './load.ts';
import { readMachineInfo, sampleBackgroundLoad } from './machine-info.ts';
import { measureAlertLatency } from './phases/measure-alert-latency.ts';
import { measureFanOut } from './phases/measure-fan-out.ts';
import { measureLatency } from './phases/measure-latency.ts';
import { measureScale } from './phases/measure-scale.ts';
import { measureThroughput } from './phases/measure-throughput.ts';
import { consoleTable, resultsMarkdown, summaryRows, type BenchResults, type BenchSettings } from './report.ts';
import { startBaseline, startLeadline, startScriptNodeFlags } from './start-leadline.ts';
import type { Service } from './start-service.ts';

const args = new Set(process.argv.slice(2));
if (args.has('--help') || args.has('-h')) {
  process.stdout.write('usage: npm run bench [-- --quick] [-- --scale]\n');
  process.exit(0);
}
const quick = args.has('--quick');
const withScale = args.has('--scale');
for (const arg of args) {
  if (!['--quick', '--scale'].includes(arg)) {
    process.stderr.write(`bench: unknown option ${arg} (use --quick, --scale)\n`);
    process.exit(2);
  }
}

const settings: BenchSettings = quick
  ? {
      connections: 50,
      rounds: 2,
      seconds: 3,
      latencyRatePerSecond: 500,
      latencyRuns: 1,
      latencySeconds: 5,
      alertRatePerSecond: 100,
      alertSeconds: 8,
      fanOutLeads: 300,
      baselinePoolSize: 10,
    }
  : {
      connections: 50,
      rounds: 3,
      seconds: 10,
      latencyRatePerSecond: 500,
      latencyRuns: 3,
      latencySeconds: 20,
      alertRatePerSecond: 100,
      alertSeconds: 60,
      fanOutLeads: 3000,
      baselinePoolSize: 10,
    };
const WARMUP_SECONDS = quick ? 1 : 3;
/** How long the workers may take to catch up after a turn before the bench goes on regardless. */
const SETTLE_TIMEOUT_MS = quick ? 15_000 : 30_000;
// A smoke run's numbers are not the reference: they go to the temporary directory, never over results.md.
const RESULTS_FILE = quick
  ? path.join(os.tmpdir(), 'leadline-bench-results-quick.md')
  : fileURLToPath(new URL('./results.md', import.meta.url));

const startedAt = performance.now();
const log = (line: string) => process.stdout.write(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);

/** A new tag per phase keeps names (and emails) unique across phases and runs. */
let tagSerial = 0;
const newTag = () => `b${Date.now().toString(36)}${(++tagSerial).toString(36)}`;

function captureTarget(url: string, tag = newTag()): LoadTarget {
  return { url, path: '/api/leads', body: (serial) => leadBody(tag, serial) };
}

/**
 * Waits until every `lead.created` event has been delivered on every configured channel: the workers
 * have caught up. Returns how long that took (or the timeout, logged).
 */
async function waitForDeliveries(postgres: BenchPostgres, databaseUrl: string, channels: number, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const [row] = await postgres.query<{ leads: string; sent: string }>(
      databaseUrl,
      /* sql */ `SELECT (SELECT count(*) FROM lead_events WHERE event_type = 'lead.created') AS leads,
                      (SELECT count(*) FROM notification_logs WHERE status = 'sent') AS sent`,
    );
    if (Number(row!.sent) >= Number(row!.leads) * channels) return Date.now() - started;
    if (Date.now() - started > timeoutMs) {
      log(`  workers still behind after ${timeoutMs / 1000} s (${row!.sent} of ${Number(row!.leads) * channels} delivered); going on`);
      return Date.now() - started;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main(): Promise<void> {
  const machine = readMachineInfo();
  log(`Leadline bench (${quick ? 'quick smoke run' : 'full run'}) on ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}`);
  const backgroundBusy = await sampleBackgroundLoad(2_000);
  log(`machine before the run: ${(backgroundBusy * 100).toFixed(0)}% busy with other work, load average ${machine.loadAverage}`);
  if (backgroundBusy > 0.15) log('  WARNING: other work is running on this machine; every number below is lowered by it');

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'leadline-bench-'));
  const services: Service[] = [];
  const stubsToClose: (() => Promise<void>)[] = [];
  let postgres: BenchPostgres | undefined;
  let failed = false;

  const cleanUp = async () => {
    await Promise.all(services.map((service) => service.stop().catch(() => {})));
    await Promise.all(stubsToClose.map((close) => close().catch(() => {})));
    await postgres?.close().catch(() => {});
    if (!failed) await rm(workDir, { recursive: true, force: true });
    else log(`logs kept in ${workDir}`);
  };
  let interrupted = false;
  process.on('SIGINT', () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    failed = true;
    log('interrupted: stopping everything');
    void cleanUp().finally(() => process.exit(130));
  });

  try {
    postgres = await openBenchPostgres(process.env['BENCH_DATABASE_URL']);
    log(`${postgres.description} (synchronous_commit=${postgres.synchronousCommit})`);
    const [allDb, apiDb, baselineDb, alertsDb] = [
      await postgres.createDatabase('all'),
      await postgres.createDatabase('api'),
      await postgres.createDatabase('baseline'),
      await postgres.createDatabase('alerts'),
    ];
    const migrationPool = new pg.Pool({ connectionString: baselineDb, max: 1 });
    await migrate(migrationPool);
    await migrationPool.end();

    const baseline = await startBaseline({ databaseUrl: baselineDb!, workDir, poolSize: settings.baselinePoolSize });
    services.push(baseline);
    const leadlineAll = await startLeadline({ name: 'leadline-all', databaseUrl: allDb!, workDir, env: { ROLE: 'all' } });
    services.push(leadlineAll);
    const leadlineApi = await startLeadline({ name: 'leadline-api', databaseUrl: apiDb!, workDir, env: { ROLE: 'api' } });
    services.push(leadlineApi);
    log(`started: Leadline ROLE=all ${leadlineAll.url}, Leadline ROLE=api ${leadlineApi.url}, baseline ${baseline.url}`);

    const settleAll = () => waitForDeliveries(postgres!, allDb!, 1, SETTLE_TIMEOUT_MS);
    const contenders = {
      all: { label: 'Leadline (ROLE=all)', service: leadlineAll, target: captureTarget(leadlineAll.url), settle: settleAll },
      baseline: { label: 'baseline', service: baseline, target: captureTarget(baseline.url) },
      api: { label: 'Leadline (ROLE=api)', service: leadlineApi, target: captureTarget(leadlineApi.url) },
    };

    log(`1/5 capture throughput: ${settings.connections} connections, ${settings.rounds} rounds of ${settings.seconds} s, taking turns`);
    const [throughputAll, throughputBaseline, throughputApi] = await measureThroughput({
      contenders: [contenders.all, contenders.baseline, contenders.api],
      connections: settings.connections,
      rounds: settings.rounds,
      seconds: settings.seconds,
      warmupSeconds: WARMUP_SECONDS,
      log,
    });

    log(
      `2/5 capture latency at a steady ${settings.latencyRatePerSecond} req/s: ${settings.latencyRuns} runs of ${settings.latencySeconds} s each`,
    );
    const [latencyAll, latencyBaseline] = await measureLatency({
      contenders: [contenders.all, contenders.baseline],
      ratePerSecond: settings.latencyRatePerSecond,
      runs: settings.latencyRuns,
      seconds: settings.latencySeconds,
      log,
    });

    const rss = {
      all: leadlineAll.memory().peakBytes,
      api: leadlineApi.memory().peakBytes,
      baseline: baseline.memory().peakBytes,
      alerts: 0,
    };
    log(
      `5/5 peak RSS under the capture load: ROLE=all ${(rss.all / 2 ** 20).toFixed(0)} MB, ROLE=api ${(rss.api / 2 ** 20).toFixed(0)} MB, baseline ${(rss.baseline / 2 ** 20).toFixed(0)} MB`,
    );
    for (const service of [leadlineAll, leadlineApi, baseline]) {
      await service.stop();
      services.splice(services.indexOf(service), 1);
    }

    const [slack, smtp, telegram] = await Promise.all([startSlackStub(), startSmtpStub(), startTelegramStub()]);
    stubsToClose.push(
      () => slack.close(),
      () => smtp.close(),
      () => telegram.close(),
    );
    const leadlineAlerts = await startLeadline({
      name: 'leadline-alerts',
      databaseUrl: alertsDb!,
      workDir,
      env: {
        ROLE: 'all',
        SLACK_WEBHOOK_URL: slack.url,
        SLACK_MIN_INTERVAL: '0',
        EMAIL_HOST: smtp.host,
        EMAIL_PORT: String(smtp.port),
        EMAIL_FROM: 'Leadline <leads@example.com>',
        LEAD_ALERT_EMAIL: 'team@example.com',
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_CHAT_ID: '424242',
        TELEGRAM_API_ROOT: telegram.apiRoot,
        TELEGRAM_MIN_INTERVAL: '0',
      },
    });
    services.push(leadlineAlerts);
    log(`started: Leadline ROLE=all with stub Slack, SMTP and Telegram ${leadlineAlerts.url}`);

    log(`3/5 lead → alert latency at ${settings.alertRatePerSecond} leads/s for ${settings.alertSeconds} s`);
    // A short warm-up opens the providers' keep-alive and SMTP pool connections and warms the JIT.
    await runSteadyRate(captureTarget(leadlineAlerts.url), settings.alertRatePerSecond, 2, 50);
    await waitForDeliveries(postgres, alertsDb!, 3, SETTLE_TIMEOUT_MS);
    const alertTag = newTag();
    const alerts = await measureAlertLatency({
      postgres,
      databaseUrl: alertsDb!,
      target: captureTarget(leadlineAlerts.url, alertTag),
      tag: alertTag,
      ratePerSecond: settings.alertRatePerSecond,
      seconds: settings.alertSeconds,
      sources: [
        {
          channel: 'slack',
          received: () => slack.received.filter((entry) => entry.status === 200).map((entry) => ({ at: entry.at, text: entry.rawBody })),
        },
        {
          channel: 'email',
          received: () => smtp.received.filter((entry) => entry.responseCode === 250).map((entry) => ({ at: entry.at, text: entry.raw })),
        },
        { channel: 'telegram', received: () => telegram.sent.map((entry) => ({ at: entry.at, text: entry.text ?? '' })) },
      ],
      log,
    });

    log(`4/5 fan-out: ${settings.fanOutLeads} leads queued while deliveries are paused, then resumed`);
    await waitForDeliveries(postgres, alertsDb!, 3, SETTLE_TIMEOUT_MS);
    const fanOut = await measureFanOut({
      postgres,
      databaseUrl: alertsDb!,
      service: leadlineAlerts,
      target: captureTarget(leadlineAlerts.url),
      leads: settings.fanOutLeads,
      channels: 3,
      providerMessages: () => slack.received.length + smtp.received.length + telegram.sent.length,
      timeoutMs: quick ? 60_000 : 120_000,
      log,
    });
    rss.alerts = leadlineAlerts.memory().peakBytes;
    await leadlineAlerts.stop();
    services.splice(services.indexOf(leadlineAlerts), 1);

    let scale;
    if (withScale) {
      log('scale: 1, 2 and 4 API processes against one Postgres');
      scale = await measureScale({
        postgres,
        workDir,
        processCounts: [1, 2, 4],
        connections: settings.connections,
        seconds: settings.seconds,
        rounds: quick ? 1 : 2,
        target: (url) => captureTarget(url),
        log,
      });
    }

    const results: BenchResults = {
      mode: quick ? 'quick' : 'full',
      command: `npm run bench${quick || withScale ? ` -- ${[...args].join(' ')}` : ''}`,
      leadlineCommand: ['node', ...startScriptNodeFlags(), process.env['BENCH_LEADLINE_MAIN'] ?? 'src/main.ts'].join(' '),
      machine,
      postgres: { description: postgres.description, synchronousCommit: postgres.synchronousCommit },
      backgroundBusy,
      settings,
      throughput: { all: throughputAll!, baseline: throughputBaseline!, api: throughputApi! },
      latency: { all: latencyAll!, baseline: latencyBaseline! },
      alerts,
      fanOut,
      rss,
      scale,
      wallSeconds: (performance.now() - startedAt) / 1000,
    };
    await writeFile(RESULTS_FILE, resultsMarkdown(results));
    const rows = summaryRows(results);
    process.stdout.write(`\n${consoleTable(rows)}\n\n`);
    log(
      `written to ${quick ? RESULTS_FILE : path.relative(process.cwd(), RESULTS_FILE)}; ${rows.filter((row) => row.pass === false).length} of ${rows.length} targets missed`,
    );
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await cleanUp();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
