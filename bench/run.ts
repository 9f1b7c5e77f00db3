/**
 * `npm run bench`: Leadline as users run it (`npm start`, ROLE=all) beside a bare Express + pg baseline on
 * the same Postgres, over loopback, then the pipeline (alerts, fan-out, a soak with three providers), the
 * fault suite's recovery times and the scale-out curve.
 *
 *   npm run bench                 the reference run (about 15 minutes): writes bench/results.md and the
 *                                 README's benchmark table
 *   npm run bench -- --quick      a smoke run of a few minutes (results go to the temporary directory)
 *   npm run bench -- --skip recovery,scale   leave phases out (not for the reference run)
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
import { measureRecovery } from './phases/measure-recovery.ts';
import { measureScale } from './phases/measure-scale.ts';
import { measureSoak } from './phases/measure-soak.ts';
import { measureThroughput } from './phases/measure-throughput.ts';
import { readPipelineLatency } from './phases/read-pipeline-latency.ts';
import { consoleTable, readmeTable, resultsMarkdown, summaryRows, type BenchResults, type BenchSettings } from './report.ts';
import { startBaseline, startLeadline, startScriptNodeFlags } from './start-leadline.ts';
import { replaceReadmeTable } from './update-readme.ts';
import type { Service } from './start-service.ts';

const PHASES = ['throughput', 'latency', 'alerts', 'fanout', 'soak', 'recovery', 'scale'] as const;
type Phase = (typeof PHASES)[number];

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  process.stdout.write(`usage: npm run bench [-- --quick] [-- --skip ${PHASES.join(',')}]\n`);
  process.exit(0);
}
const quick = argv.includes('--quick');
const skipIndex = argv.indexOf('--skip');
const skipped = new Set<string>(skipIndex >= 0 ? (argv[skipIndex + 1] ?? '').split(',').filter((name) => name !== '') : []);
for (const [index, arg] of argv.entries()) {
  const known = arg === '--quick' || arg === '--skip' || (index > 0 && argv[index - 1] === '--skip');
  if (!known) {
    process.stderr.write(`bench: unknown option ${arg} (use --quick, --skip <phases>)\n`);
    process.exit(2);
  }
}
for (const name of skipped) {
  if (!PHASES.includes(name as Phase)) {
    process.stderr.write(`bench: unknown phase ${name} (phases: ${PHASES.join(', ')})\n`);
    process.exit(2);
  }
}
const runs = (phase: Phase) => !skipped.has(phase);

const settings: BenchSettings = quick
  ? {
      connections: 50,
      rounds: 1,
      seconds: 3,
      latencyRatePerSecond: 500,
      latencyRuns: 1,
      latencySeconds: 5,
      alertRatePerSecond: 100,
      alertSeconds: 8,
      fanOutLeads: 300,
      fanOutRuns: 1,
      soakRatePerSecond: 300,
      soakSeconds: 15,
      scaleSeconds: 3,
      scaleRounds: 1,
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
      fanOutRuns: 3,
      soakRatePerSecond: 300,
      soakSeconds: 120,
      scaleSeconds: 10,
      scaleRounds: 2,
      baselinePoolSize: 10,
    };
const WARMUP_SECONDS = quick ? 1 : 3;
/** How long the workers may take to catch up after a turn before the bench goes on regardless. */
const SETTLE_TIMEOUT_MS = quick ? 20_000 : 60_000;
/** The reference run (everything, full length) is the only one that writes bench/results.md and the README. */
const reference = !quick && skipped.size === 0;
const RESULTS_FILE = reference
  ? fileURLToPath(new URL('./results.md', import.meta.url))
  : path.join(os.tmpdir(), `leadline-bench-results${quick ? '-quick' : '-partial'}.md`);
const README_FILE = fileURLToPath(new URL('../README.md', import.meta.url));
const SCALE_SHAPES = quick
  ? [
      { api: 1, workers: 1 },
      { api: 2, workers: 1 },
    ]
  : [
      { api: 1, workers: 1 },
      { api: 2, workers: 1 },
      { api: 2, workers: 2 },
      { api: 4, workers: 2 },
    ];

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

/** The three stub providers, with no rate limit: the pipeline's own speed, not Slack's pace. */
function stubChannelEnv(stubs: {
  slack: { url: string };
  smtp: { host: string; port: number };
  telegram: { token: string; apiRoot: string };
}) {
  return {
    SLACK_WEBHOOK_URL: stubs.slack.url,
    SLACK_MIN_INTERVAL: '0',
    EMAIL_HOST: stubs.smtp.host,
    EMAIL_PORT: String(stubs.smtp.port),
    EMAIL_FROM: 'Leadline <leads@example.com>',
    LEAD_ALERT_EMAIL: 'team@example.com',
    TELEGRAM_BOT_TOKEN: stubs.telegram.token,
    TELEGRAM_CHAT_ID: '424242',
    TELEGRAM_API_ROOT: stubs.telegram.apiRoot,
    TELEGRAM_MIN_INTERVAL: '0',
  };
}

async function main(): Promise<void> {
  const machine = readMachineInfo();
  log(
    `Leadline bench (${quick ? 'quick smoke run' : reference ? 'reference run' : 'partial run'}) on ${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}`,
  );
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
  const stopService = async (service: Service) => {
    await service.stop();
    services.splice(services.indexOf(service), 1);
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
    const pg_ = postgres;
    log(`${postgres.description} (synchronous_commit=${postgres.synchronousCommit})`);
    const results: BenchResults = {
      mode: quick ? 'quick' : reference ? 'full' : 'partial',
      command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
      leadlineCommand: ['node', ...startScriptNodeFlags(), process.env['BENCH_LEADLINE_MAIN'] ?? 'src/main.ts'].join(' '),
      machine,
      postgres: { description: postgres.description, synchronousCommit: postgres.synchronousCommit },
      backgroundBusy,
      settings,
      rss: {},
      wallSeconds: 0,
    };

    if (runs('throughput') || runs('latency')) {
      const [allDb, threadedDb, unheldDb, apiDb, baselineDb] = [
        await postgres.createDatabase('all'),
        await postgres.createDatabase('threaded'),
        await postgres.createDatabase('unheld'),
        await postgres.createDatabase('api'),
        await postgres.createDatabase('baseline'),
      ];
      const migrationPool = new pg.Pool({ connectionString: baselineDb, max: 1 });
      await migrate(migrationPool);
      await migrationPool.end();

      const baseline = await startBaseline({ databaseUrl: baselineDb!, workDir, poolSize: settings.baselinePoolSize });
      services.push(baseline);
      /** One Leadline contender with its own database, stopped with the rest. */
      const startContender = async (name: string, databaseUrl: string, env: Record<string, string>) => {
        const service = await startLeadline({ name, databaseUrl, workDir, env });
        services.push(service);
        return service;
      };
      const leadlineAll = await startContender('leadline-all', allDb!, { ROLE: 'all' });
      const leadlineThreaded = await startContender('leadline-threaded', threadedDb!, { ROLE: 'all', WORKER_THREAD: 'true' });
      // The same process with alerts never held back for an overload: what the burst costs while the pipeline runs in it.
      const leadlineUnheld = await startContender('leadline-unheld', unheldDb!, { ROLE: 'all', OVERLOAD_ALERT_DELAY: '0' });
      const leadlineApi = await startContender('leadline-api', apiDb!, { ROLE: 'api' });
      log(
        `started: Leadline ROLE=all ${leadlineAll.url} (WORKER_THREAD=auto), ROLE=all with WORKER_THREAD=true ${leadlineThreaded.url}, ROLE=all with OVERLOAD_ALERT_DELAY=0 ${leadlineUnheld.url}, ROLE=api ${leadlineApi.url}, baseline ${baseline.url}`,
      );

      const withWorkers = (label: string, service: Service, databaseUrl: string) => ({
        label,
        service,
        target: captureTarget(service.url),
        settle: () => waitForDeliveries(pg_, databaseUrl, 1, SETTLE_TIMEOUT_MS),
        pipelineLatency: (sinceMs: number) => readPipelineLatency(pg_, databaseUrl, { sinceMs, channel: 'log' }),
      });
      const contenders = {
        all: withWorkers('Leadline (ROLE=all)', leadlineAll, allDb!),
        threaded: withWorkers('Leadline (ROLE=all, worker thread)', leadlineThreaded, threadedDb!),
        unheld: withWorkers('Leadline (ROLE=all, alerts not held)', leadlineUnheld, unheldDb!),
        baseline: { label: 'baseline', service: baseline, target: captureTarget(baseline.url) },
        api: { label: 'Leadline (ROLE=api)', service: leadlineApi, target: captureTarget(leadlineApi.url) },
      };

      if (runs('throughput')) {
        log(`capture throughput: ${settings.connections} connections, ${settings.rounds} rounds of ${settings.seconds} s, taking turns`);
        const [all, baselineResult, api, threaded, unheld] = await measureThroughput({
          contenders: [contenders.all, contenders.baseline, contenders.api, contenders.threaded, contenders.unheld],
          connections: settings.connections,
          rounds: settings.rounds,
          seconds: settings.seconds,
          warmupSeconds: WARMUP_SECONDS,
          log,
        });
        results.throughput = { all: all!, baseline: baselineResult!, api: api!, threaded: threaded!, unheld: unheld! };
      }
      if (runs('latency')) {
        log(
          `capture latency at a steady ${settings.latencyRatePerSecond} req/s: ${settings.latencyRuns} runs of ${settings.latencySeconds} s each`,
        );
        const [all, baselineResult, threaded] = await measureLatency({
          contenders: [contenders.all, contenders.baseline, contenders.threaded],
          ratePerSecond: settings.latencyRatePerSecond,
          runs: settings.latencyRuns,
          seconds: settings.latencySeconds,
          log,
        });
        results.latency = { all: all!, baseline: baselineResult!, threaded: threaded! };
      }
      results.rss.all = leadlineAll.memory().peakBytes;
      results.rss.threaded = leadlineThreaded.memory().peakBytes;
      results.rss.api = leadlineApi.memory().peakBytes;
      results.rss.baseline = baseline.memory().peakBytes;
      log(
        `peak RSS under the capture load: ROLE=all ${(results.rss.all / 2 ** 20).toFixed(0)} MB, worker thread ${(results.rss.threaded / 2 ** 20).toFixed(0)} MB, ` +
          `ROLE=api ${(results.rss.api / 2 ** 20).toFixed(0)} MB, baseline ${(results.rss.baseline / 2 ** 20).toFixed(0)} MB`,
      );
      for (const service of [leadlineAll, leadlineThreaded, leadlineUnheld, leadlineApi, baseline]) await stopService(service);
    }

    const needStubs = runs('alerts') || runs('fanout') || runs('soak');
    if (needStubs) {
      const [slack, smtp, telegram] = await Promise.all([startSlackStub(), startSmtpStub(), startTelegramStub()]);
      stubsToClose.push(
        () => slack.close(),
        () => smtp.close(),
        () => telegram.close(),
      );
      if (runs('alerts') || runs('fanout')) {
        const alertsDb = await postgres.createDatabase('alerts');
        const leadlineAlerts = await startLeadline({
          name: 'leadline-alerts',
          databaseUrl: alertsDb,
          workDir,
          env: { ROLE: 'all', ...stubChannelEnv({ slack, smtp, telegram }) },
        });
        services.push(leadlineAlerts);
        log(`started: Leadline ROLE=all with stub Slack, SMTP and Telegram ${leadlineAlerts.url}`);
        if (runs('alerts')) {
          log(`lead → alert latency at ${settings.alertRatePerSecond} leads/s for ${settings.alertSeconds} s`);
          // A short warm-up opens the providers' keep-alive and SMTP connections and warms the JIT.
          await runSteadyRate(captureTarget(leadlineAlerts.url), settings.alertRatePerSecond, 2, 50);
          await waitForDeliveries(postgres, alertsDb, 3, SETTLE_TIMEOUT_MS);
          const alertTag = newTag();
          results.alerts = await measureAlertLatency({
            postgres,
            databaseUrl: alertsDb,
            target: captureTarget(leadlineAlerts.url, alertTag),
            tag: alertTag,
            ratePerSecond: settings.alertRatePerSecond,
            seconds: settings.alertSeconds,
            sources: [
              {
                channel: 'slack',
                received: () =>
                  slack.received.filter((entry) => entry.status === 200).map((entry) => ({ at: entry.at, text: entry.rawBody })),
              },
              {
                channel: 'email',
                received: () =>
                  smtp.received.filter((entry) => entry.responseCode === 250).map((entry) => ({ at: entry.at, text: entry.raw })),
              },
              { channel: 'telegram', received: () => telegram.sent.map((entry) => ({ at: entry.at, text: entry.text ?? '' })) },
            ],
            log,
          });
        }
        if (runs('fanout')) {
          results.fanOut = [];
          for (let run = 1; run <= settings.fanOutRuns; run++) {
            log(`fan-out ${run}/${settings.fanOutRuns}: ${settings.fanOutLeads} leads queued while deliveries are paused, then resumed`);
            await waitForDeliveries(postgres, alertsDb, 3, SETTLE_TIMEOUT_MS);
            results.fanOut.push(
              await measureFanOut({
                postgres,
                databaseUrl: alertsDb,
                service: leadlineAlerts,
                target: captureTarget(leadlineAlerts.url),
                leads: settings.fanOutLeads,
                channels: 3,
                providerMessages: () => slack.received.length + smtp.received.length + telegram.sent.length,
                timeoutMs: quick ? 60_000 : 120_000,
                log,
              }),
            );
          }
        }
        results.rss.alerts = leadlineAlerts.memory().peakBytes;
        await stopService(leadlineAlerts);
      }
      if (runs('soak')) {
        const soakDb = await postgres.createDatabase('soak');
        const leadlineSoak = await startLeadline({
          name: 'leadline-soak',
          databaseUrl: soakDb,
          workDir,
          env: { ROLE: 'all', ...stubChannelEnv({ slack, smtp, telegram }) },
        });
        services.push(leadlineSoak);
        log(`soak: ${settings.soakRatePerSecond} leads/s for ${settings.soakSeconds} s on a fresh ROLE=all with Slack, email and Telegram`);
        results.soak = await measureSoak({
          service: leadlineSoak,
          target: captureTarget(leadlineSoak.url),
          ratePerSecond: settings.soakRatePerSecond,
          seconds: settings.soakSeconds,
          settle: () => waitForDeliveries(pg_, soakDb, 3, SETTLE_TIMEOUT_MS),
          log,
        });
        await stopService(leadlineSoak);
      }
    }

    if (runs('recovery')) {
      log('recovery: the fault suite (long form) kills npm start mid-burst and stops the database, against its own Postgres');
      results.recovery = await measureRecovery({ log });
    }

    if (runs('scale')) {
      log(
        `scale-out: ${SCALE_SHAPES.map((shape) => `${shape.api} API × ${shape.workers} worker`).join(', ')} processes against one Postgres`,
      );
      results.scale = await measureScale({
        postgres,
        workDir,
        shapes: SCALE_SHAPES,
        connections: settings.connections,
        seconds: settings.scaleSeconds,
        rounds: settings.scaleRounds,
        target: (url) => captureTarget(url),
        settle: (databaseUrl) => waitForDeliveries(pg_, databaseUrl, 1, SETTLE_TIMEOUT_MS),
        log,
      });
    }

    results.wallSeconds = (performance.now() - startedAt) / 1000;
    await writeFile(RESULTS_FILE, resultsMarkdown(results));
    const rows = summaryRows(results);
    process.stdout.write(`\n${consoleTable(rows)}\n\n`);
    if (reference) {
      await replaceReadmeTable(README_FILE, readmeTable(results));
      log('README.md benchmark table updated from this run');
    }
    log(
      `written to ${reference ? path.relative(process.cwd(), RESULTS_FILE) : RESULTS_FILE}; ${rows.filter((row) => row.pass === false).length} of ${rows.length} targets missed`,
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
