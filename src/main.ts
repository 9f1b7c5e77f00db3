/**
 * The composition root: the only place that wires modules together. `node src/main.ts` reads the environment
 * and starts the roles `ROLE` asks for; tests call `startLeadline` with a config of their own.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { CountryCode } from 'libphonenumber-js';
import type { Logger } from 'pino';
import { adminPanelRoutes } from './admin/admin-panel-routes.ts';
import { adminReadRoutes } from './admin/admin-read-routes.ts';
import { createLeadEventHub } from './admin/create-lead-event-hub.ts';
import { ensureAdminKey } from './admin/ensure-admin-key.ts';
import { buildEmbedScript, embedRoutes } from './embed/embed-routes.ts';
import { createMetrics, type Metrics } from './metrics/create-metrics.ts';
import { metricsRoutes, observeRequestDurations } from './metrics/metrics-routes.ts';
import { readQueueDepths } from './queue/read-queue-depths.ts';
import { createScoringSettings } from './capture/score-lead.ts';
import { startDailyDigest } from './digest/start-daily-digest.ts';
import { createWorkingTimeAdder } from './time/add-working-time.ts';
import { slaAdminRoutes } from './sla/sla-admin-routes.ts';
import { openTeamLinkKeys } from './leads/open-team-link-keys.ts';
import { teamLinkRoutes } from './team/team-link-routes.ts';
import { agentAdminRoutes } from './team/agent-admin-routes.ts';
import { leadAdminRoutes } from './leads/lead-admin-routes.ts';
import { startSlaMonitor } from './sla/start-sla-monitor.ts';
import { checkMetaHealth } from './ingest/check-meta-health.ts';
import { ingestAdminRoutes } from './ingest/ingest-admin-routes.ts';
import type { IngestDeps } from './ingest/ingest-deps.ts';
import { ingestRoutes } from './ingest/ingest-routes.ts';
import { readIngestionStats } from './ingest/read-ingestion-stats.ts';
import { replayRawLeads } from './ingest/replay-raw-leads.ts';
import { startMetaIngestion } from './ingest/start-meta-ingestion.ts';
import { captureRoutes } from './capture/capture-routes.ts';
import { ConfigError, loadConfig, workerThreadConfig, type Config } from './config/load-config.ts';
import { createPool, type Pool } from './db/create-pool.ts';
import { explainStartFailure } from './db/explain-start-failure.ts';
import { migrate } from './db/migrate.ts';
import { openDatabase } from './db/open-database.ts';
import { cacheCheck } from './health/cache-check.ts';
import { healthRoutes, type ReadinessCheck } from './health/health-routes.ts';
import { createApp } from './http/create-app.ts';
import { rateLimitPerMinute } from './http/rate-limit.ts';
import { cors } from './http/web-hygiene.ts';
import { chooseLogFormat } from './logging/choose-log-format.ts';
import { createLogger } from './logging/create-logger.ts';
import { startJobQueue, type JobQueue } from './queue/start-job-queue.ts';
import { systemClock, type Clock } from './shared/clock.ts';
import type { Channel } from './channels/channel.ts';
import { configuredChannelNames, createAgentChannelBases, createConfiguredChannels } from './channels/create-configured-channels.ts';
import { metricChannelOf } from './shared/channel-names.ts';
import { checkWebhookEndpoints } from './channels/webhook/check-webhook-endpoints.ts';
import { deliveryAdminRoutes } from './delivery/delivery-admin-routes.ts';
import { ensureDeliveryQueues } from './delivery/ensure-delivery-queues.ts';
import { startPauseSwitch } from './delivery/pause-switch.ts';
import { startDeliveryWorkers } from './delivery/start-delivery-workers.ts';
import { requireAdminKey } from './http/require-admin-key.ts';
import { startRelay, type Relay } from './relay/start-relay.ts';
import express from 'express';
import type { CapturedLeadRow } from './capture/insert-captured-lead.ts';
import { spooledLeadCodec } from './capture/spooled-lead-codec.ts';
import { watchEmbeddedOwner } from './db/open-database.ts';
import { deliveryQueuesOf } from './delivery/ensure-delivery-queues.ts';
import { webhookEndpointRoutes } from './delivery/webhook-endpoint-routes.ts';
import { bearerMatches } from './http/bearer-matches.ts';
import { META_INGEST_QUEUE } from './ingest/ingest-deps.ts';
import { logOncePerCause } from './logging/log-once-per-cause.ts';
import { startDeadWorkTakeover } from './presence/start-dead-work-takeover.ts';
import { startProcessPresence } from './presence/start-process-presence.ts';
import { createFaultPoints } from './shared/fault-point.ts';
import { createEventAnnouncer } from './events/announce-events.ts';
import { removeLegacyTimerQueue } from './sla/remove-legacy-timer-queue.ts';
import { openSpool, type Spool } from './spool/open-spool.ts';
import { lifecycleAdminRoutes } from './lifecycle/lifecycle-admin-routes.ts';
import { openApiRoutes } from './openapi/openapi-routes.ts';
import { ROUTE_ENTRIES } from './openapi/route-entries.ts';
import { startRetentionJob } from './lifecycle/start-retention-job.ts';
import { storeSpooledLeadHonouringErasures } from './lifecycle/store-spooled-lead-honouring-erasures.ts';
import { startSpoolFlusher } from './spool/start-spool-flusher.ts';
import { superviseWorkerThread, type SupervisedThread } from './threads/supervise-worker-thread.ts';
import { CaptureLoad } from './shared/capture-load.ts';
import { countRequestsInFlight } from './http/count-requests-in-flight.ts';
import { watchCaptureOverload } from './http/watch-capture-overload.ts';
import type { WorkerThreadData } from './worker-thread.ts';

export interface Leadline {
  /** Base URL of the HTTP server (when this process runs the API role). */
  url: string | undefined;
  adminApiKey: string;
  databaseUrl: string;
  pool: Pool;
  boss: JobQueue;
  config: Config;
  channels: Channel[];
  /** This process's metrics registry and instruments. */
  metrics: Metrics;
  /** The outbox relay, when this thread runs the worker role (not when ROLE=all runs it in its worker thread). */
  relay: Relay | undefined;
  /** Where capture keeps leads while the database is away (API role, unless SPOOL_DIR=off). */
  spool: Spool<CapturedLeadRow> | undefined;
  /** Writes spooled leads now, if the database answers (the flusher also does it every second). */
  flushSpool(): Promise<void>;
  /** This process's row in `worker_processes`. */
  processId: string;
  /** The Express app (API role), for tests that read its route table; not for wiring more routes. */
  app: express.Express | undefined;
  stop(): Promise<void>;
}

export interface StartOverrides {
  logger?: Logger;
  clock?: Clock;
  /** The worker thread brings metrics whose runtime series are labelled as its own. */
  metrics?: Metrics;
  /** Tests only: the admin stream's heartbeat period (default 15 s), so a test sees heartbeats without waiting. */
  adminStreamHeartbeatIntervalMs?: number;
  /** The worker thread reads the API thread's load (shared memory), to put capture first when it is busy. */
  captureLoad?: CaptureLoad;
}

export async function startLeadline(config: Config, overrides: StartOverrides = {}): Promise<Leadline> {
  const logger = overrides.logger ?? createLogger({ level: config.logLevel, format: chooseLogFormat(config.logFormat, false) });
  const clock = overrides.clock ?? systemClock;
  const captureLoad = overrides.captureLoad ?? new CaptureLoad();
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
  };
  const reportConnectionError = logOncePerCause(logger, 'a database connection failed; it is replaced on the next use');

  try {
    // Settings that can still be wrong are checked before anything starts.
    const addWorkingTime = createWorkingTimeAdder(config.sla);
    const scoring = createScoringSettings({ extraUrgentWords: config.scoring.urgentWords });
    const reachFaultPoint = createFaultPoints(config.faultPoint);
    // Built before anything starts, like the checks above: a broken bundle stops start-up at once.
    const embedScript = config.runsApi ? buildEmbedScript() : undefined;
    // A webhook host that resolves to a private address stops a worker here, not at its first lead.
    if (config.outboundWebhooks && config.runsWorkers) {
      await checkWebhookEndpoints(config.outboundWebhooks.endpoints, {
        allowPrivate: config.outboundWebhooks.allowPrivate,
        onUnresolved: (endpoint, error) =>
          logger.warn({ endpoint, err: error }, 'an outbound webhook host does not resolve now; it is checked again before every request'),
      });
    }
    const channelNames = configuredChannelNames(config);
    const deliveryQueues = deliveryQueuesOf(channelNames);
    const database = await openDatabase({ databaseUrl: config.databaseUrl, homeDir: config.homeDir });
    const stopEmbedded = { current: database.embedded };
    stops.push(async () => {
      await stopEmbedded.current?.stop();
    });
    if (database.embedded) logger.info('embedded PostgreSQL started (data in %s/postgres)', config.homeDir);
    if (database.sharedHome) {
      logger.info('using the embedded PostgreSQL another Leadline process runs in %s', config.homeDir);
      const watcher = watchEmbeddedOwner({
        home: database.sharedHome,
        url: database.url,
        onTakenOver: (embedded) => {
          stopEmbedded.current = embedded;
          logger.warn('the process that ran the embedded PostgreSQL stopped; this process runs it now');
        },
        onLost: (message) => {
          process.stderr.write(`leadline: ${message}\n`);
          process.exit(1);
        },
      });
      stops.push(async () => watcher.stop());
    }
    const admin = await ensureAdminKey(config.adminApiKey, config.homeDir);

    await migrateOnce(database.url, logger);
    // Requests get a short bound (a locked table or a stalled database answers fast: spool or 503); the
    // workers' statements may run longer, and they have connections of their own so a backlog never takes
    // the connections capture needs.
    const apiPool = config.runsApi
      ? createPool({
          connectionString: database.url,
          max: config.databasePoolSize,
          applicationName: 'leadline-api',
          connectTimeoutMs: config.databaseTimeoutMs,
          statementTimeoutMs: config.databaseTimeoutMs + 1_000,
          queryTimeoutMs: config.databaseTimeoutMs + 1_500,
          onError: reportConnectionError,
        })
      : undefined;
    if (apiPool) stops.push(() => apiPool.end());
    // ROLE=all runs the worker role in a thread of its own unless WORKER_THREAD=false; then this thread is the API.
    const workersHere = config.runsWorkers && !config.workerThread;
    const workerPool = workersHere
      ? createPool({
          connectionString: database.url,
          max: config.databasePoolSize,
          applicationName: 'leadline-worker',
          connectTimeoutMs: 5_000,
          statementTimeoutMs: 60_000,
          queryTimeoutMs: 90_000,
          onError: reportConnectionError,
          synchronousCommit: false,
        })
      : undefined;
    if (workerPool) stops.push(() => workerPool.end());
    const pool = (apiPool ?? workerPool)!;
    // One set of team-link keys per process: a rotation through this process's API signs its next alerts at once.
    const teamLinks = openTeamLinkKeys(pool, clock);

    const boss = await startJobQueue({
      connectionString: database.url,
      logger,
      runsMaintenance: workersHere,
      synchronousCommit: !workersHere,
    });
    stops.push(() => boss.stop({ graceful: true, timeout: 5_000 }));
    await ensureDeliveryQueues(boss, channelNames);

    const metrics =
      overrides.metrics ??
      createMetrics({
        db: pool,
        queueDepths: () => readQueueDepths(boss, [...deliveryQueues, META_INGEST_QUEUE]),
      });

    const announce = createEventAnnouncer({
      db: pool,
      onError: logOncePerCause(logger, 'could not announce new events; listeners poll for them'),
    });
    stops.push(() => announce.stop());

    const presence = await startProcessPresence({
      pool,
      role: config.workerThread ? 'api' : config.role,
      onError: logOncePerCause(logger, 'process heartbeat failed; retrying every second'),
    });
    stops.push(() => presence.stop());

    const sla = { hotMs: config.sla.hotMs, warmMs: config.sla.warmMs, coldMs: config.sla.coldMs, warningMs: config.sla.warningMs };
    const ingestDeps: IngestDeps = {
      db: pool,
      boss,
      clock,
      logger,
      sla,
      addWorkingTime,
      scoring,
      assignment: config.assignment,
      announce,
      meta: config.meta,
      webhookSecrets: config.webhookSecrets,
      defaultPhoneRegion: config.defaultPhoneRegion as CountryCode | undefined,
    };
    const metaConfigured = Boolean(config.meta.appSecret || config.meta.accessToken || config.meta.formIds.length > 0);
    const channels = createConfiguredChannels(config, logger);
    const agentChannels = createAgentChannelBases(config, logger, channels);

    let relay: Relay | undefined;
    if (workerPool) {
      const workerIngestDeps: IngestDeps = { ...ingestDeps, db: workerPool };
      const takeover = startDeadWorkTakeover({
        pool: workerPool,
        boss,
        presence,
        queues: [...deliveryQueues, META_INGEST_QUEUE],
        logger,
        onError: logOncePerCause(logger, 'taking over the work of stopped processes failed; retrying'),
      });
      stops.push(() => takeover.stop());
      const pause = await startPauseSwitch({
        pool: workerPool,
        connectionString: database.url,
        onError: logOncePerCause(logger, 'pause switch could not read the flag; keeping the last value'),
      });
      stops.push(() => pause.stop());
      const workers = await startDeliveryWorkers({
        pool: workerPool,
        boss,
        channels,
        agentChannels,
        teamLinks,
        pause,
        logger,
        clock,
        processId: presence.id,
        adminBaseUrl: config.publicUrl,
        reachFaultPoint,
        announce,
        onDelivered: (name, outcome, leadCreatedAt) => {
          const channel = metricChannelOf(name);
          metrics.deliveries.inc({ channel, outcome });
          const now = Date.now();
          for (const createdAt of leadCreatedAt) metrics.deliveryLatency.observe({ channel }, (now - createdAt.getTime()) / 1000);
        },
      });
      stops.push(() => workers.stop());
      const started = startRelay({
        pool: workerPool,
        boss,
        connectionString: database.url,
        routing: {
          channels: channelNames,
          webhookEvents: new Set(config.outboundWebhooks?.events ?? []),
          agentKinds: new Set(agentChannels.keys()),
        },
        pollIntervalMs: config.relayPollIntervalMs,
        logger,
        reachFaultPoint,
        // Visitors wait once more requests are in flight than the API's pool serves at once.
        captureIsBusy: () => captureLoad.inFlight() > config.databasePoolSize,
        captureIsOverloaded: () => captureLoad.isOverloaded(),
        overloadAlertDelayMs: config.overloadAlertDelayMs,
      });
      relay = started;
      stops.push(() => started.stop());
      await removeLegacyTimerQueue(boss);
      const monitor = await startSlaMonitor({
        db: workerPool,
        clock,
        logger,
        sweepIntervalMs: config.sla.sweepIntervalMs,
        announce,
      });
      stops.push(() => monitor.stop());
      if (metaConfigured) {
        const ingestion = await startMetaIngestion(workerIngestDeps);
        stops.push(() => ingestion.stop());
      }
      if (config.metricsPort !== undefined && !config.runsApi) {
        // A worker has no API listener: this one serves its metrics and health to Prometheus and the orchestrator.
        let stopping = false;
        const workerApp = createApp({
          logger,
          trustProxy: config.trustProxy,
          isShuttingDown: () => stopping,
          routers: [
            healthRoutes({
              isShuttingDown: () => stopping,
              canSeeDetails: (req) => config.adminApiKey !== undefined && bearerMatches(req, config.adminApiKey),
              checks: readinessChecks({ pool: workerPool, boss, spool: undefined, channels, meta: undefined }),
            }),
            metricsRoutes({ metrics, token: config.metricsToken }),
          ],
        });
        const metricsServer = await listen(workerApp, config.metricsPort, config.host);
        logger.info(`metrics and health on http://${config.host}:${config.metricsPort}/metrics`);
        stops.push(async () => {
          stopping = true;
          await closeServer(metricsServer);
        });
      }
      const digest = await startDailyDigest({
        db: workerPool,
        announce,
        boss,
        clock,
        logger,
        cron: config.digest.cron,
        timeZone: config.digest.tz,
        adminUrl: `${config.publicUrl}/admin`,
      });
      stops.push(() => digest.stop());
      const retention = await startRetentionJob({
        pool: workerPool,
        boss,
        clock,
        logger,
        retention: config.retention,
        onPruned: (table, rows) => metrics.retentionPruned.inc({ table }, rows),
      });
      stops.push(() => retention.stop());
    }
    let workerThread: SupervisedThread | undefined;
    if (config.runsWorkers && config.workerThread) {
      // Started once the database is open, so it uses that database and the admin key resolved here; stopped
      // after the API (stops run in reverse), so leads captured during shutdown are still relayed.
      const workerData: WorkerThreadData = {
        config: workerThreadConfig(config, { databaseUrl: database.url, adminApiKey: admin.key }),
        captureLoad: captureLoad.buffer,
      };
      const thread = await superviseWorkerThread({
        entry: new URL('./worker-thread.ts', import.meta.url),
        workerData,
        name: 'worker',
        logger,
        resourceLimits: WORKER_THREAD_HEAP_LIMITS,
      });
      workerThread = thread;
      stops.push(() => thread.stop());
    }
    for (const channel of new Set([...channels, ...agentChannels.values()])) if (channel.close) stops.push(() => channel.close!());

    let url: string | undefined;
    let spool: Spool<CapturedLeadRow> | undefined;
    let flushSpool: (() => Promise<void>) | undefined;
    let httpApp: express.Express | undefined;
    if (apiPool) {
      if (config.spool) {
        const opened = await openSpool({
          dir: config.spool.dir,
          maxBytes: config.spool.maxBytes,
          codec: spooledLeadCodec,
          onProblem: (message, error) => logger.error({ err: error }, message),
        });
        spool = opened;
        const flusher = startSpoolFlusher({
          spool: opened,
          store: (lead) => storeSpooledLeadHonouringErasures({ pool: apiPool, logger, clock, announce }, lead),
          logger,
        });
        flushSpool = flusher.flushNow;
        // Stops run in reverse: the flusher gets a last try before the spool closes, after the server stopped.
        stops.push(() => opened.close());
        stops.push(async () => {
          await flusher.flushNow();
          await flusher.stop();
        });
      }
      if (config.runsWorkers && config.overloadAlertDelayMs > 0) {
        // This process's relay holds alerts back while its API is overloaded (the workers share its CPU).
        const holdSeconds = config.overloadAlertDelayMs / 1000;
        const watcher = watchCaptureOverload({
          load: captureLoad,
          poolSize: config.databasePoolSize,
          onChange: (overloaded, lastedMs) => {
            if (overloaded)
              logger.warn(`capture is overloaded: new alerts wait until it passes (at most ${holdSeconds} s; OVERLOAD_ALERT_DELAY)`);
            else logger.info({ overloadSeconds: Math.round(lastedMs / 100) / 10 }, 'capture overload passed: alerts go out');
          },
        });
        stops.push(async () => watcher.stop());
      }
      let shuttingDown = false;
      const eventHub = createLeadEventHub({ connectionString: database.url, db: apiPool, logger });
      const apiIngestDeps: IngestDeps = { ...ingestDeps, db: apiPool };
      const runningSpool = spool;
      const app = createApp({
        logger,
        trustProxy: config.trustProxy,
        isShuttingDown: () => shuttingDown,
        observe: [countRequestsInFlight(captureLoad), observeRequestDurations(metrics)],
        routers: [
          healthRoutes({
            isShuttingDown: () => shuttingDown,
            canSeeDetails: (req) => bearerMatches(req, admin.key),
            checks: readinessChecks({
              pool: apiPool,
              boss,
              spool: runningSpool,
              channels,
              meta: metaConfigured ? () => checkMetaHealth(apiIngestDeps) : undefined,
              workerThread,
            }),
          }),
          metricsRoutes({
            metrics,
            token: config.metricsToken,
            extraMetrics: workerThread ? () => workerThread.request('metrics') : undefined,
          }),
          ingestRoutes(apiIngestDeps, [rateLimitPerMinute(config.rateLimitPerMinute, { countOnly: 'failed' })]),
          adminPanelRoutes({ supabase: config.supabase }),
          openApiRoutes({ entries: ROUTE_ENTRIES, version: LEADLINE_VERSION }),
          teamLinkRoutes({ db: apiPool, clock, links: teamLinks, announce }, rateLimitPerMinute(config.rateLimitPerMinute)),
          ...(embedScript ? [embedRoutes(embedScript)] : []),
          adminRouter(admin.key, [
            adminReadRoutes({
              db: apiPool,
              eventHub,
              clock,
              timeZone: config.digest.tz,
              logger,
              extraStats: async () => ({ ingestion: await readIngestionStats(apiPool) }),
              heartbeatIntervalMs: overrides.adminStreamHeartbeatIntervalMs,
            }),
            deliveryAdminRoutes({
              pool: apiPool,
              boss,
              channels: channelNames,
              // Retrying one stored Meta payload re-queues every failed or parked payload of its source.
              retryIngestion: async () => {
                await replayRawLeads(apiIngestDeps, { source: 'meta', status: ['failed', 'paused'] });
              },
            }),
            webhookEndpointRoutes({
              pool: apiPool,
              boss,
              endpoints: config.outboundWebhooks?.endpoints ?? [],
              events: config.outboundWebhooks?.events ?? [],
              signingSecrets: config.outboundWebhooks?.secrets.length ?? 0,
            }),
            ingestAdminRoutes(apiIngestDeps),
            leadAdminRoutes({ db: apiPool, clock, announce }),
            agentAdminRoutes({ db: apiPool, clock, links: teamLinks }),
            slaAdminRoutes({ db: apiPool, clock, announce }),
            lifecycleAdminRoutes({ db: apiPool, clock, announce }),
          ]),
          captureRoutes(
            {
              db: apiPool,
              clock,
              sla,
              addWorkingTime,
              scoring,
              assignment: config.assignment,
              spool,
              announce,
              databaseTimeoutMs: config.databaseTimeoutMs,
              defaultPhoneRegion: config.defaultPhoneRegion as CountryCode | undefined,
              redirectOrigins: config.corsOrigins,
              onCaptured: (route, outcome) => metrics.captures.inc({ route, outcome }),
            },
            [cors(config.corsOrigins), rateLimitPerMinute(config.rateLimitPerMinute)],
          ),
        ],
      });
      httpApp = app;
      const server = await listen(app, config.port, config.host);
      const address = server.address() as AddressInfo;
      url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
      stops.push(async () => {
        shuttingDown = true;
        await closeServer(server);
      });
      // Stops run in reverse: the hub ends open live streams first, or server.close() would wait on them.
      stops.push(() => eventHub.stop());
    }

    const leadline: Leadline = {
      url,
      adminApiKey: admin.key,
      databaseUrl: database.url,
      pool,
      boss,
      config,
      channels,
      metrics,
      relay,
      spool,
      flushSpool: flushSpool ?? (async () => {}),
      processId: presence.id,
      app: httpApp,
      stop: stopAll,
    };
    if (admin.generated) logger.info('generated ADMIN_API_KEY and saved it in %s/admin-api-key', config.homeDir);
    return leadline;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The worker thread's V8 heap: a small young generation (its garbage is short-lived batches) and an old
 * generation bounded well above its working set (about 40 MB live under load), so the process stays inside
 * its memory budget; a thread that runs out is restarted by its supervisor, the process never ends.
 */
const WORKER_THREAD_HEAP_LIMITS = { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 128 };

class QueueMissingError extends Error {}

/** The version in package.json: the OpenAPI document's `info.version`. */
const LEADLINE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * What /health/ready checks in this process. The database is `failing` only when nothing can take a lead
 * (no spool, or a full one); the queues are `failing` when the database answered and they are missing;
 * providers and Meta are `degraded`: an outage there must never take an instance out of a load balancer.
 */
function readinessChecks(parts: {
  pool: Pool;
  boss: JobQueue;
  spool: Spool<CapturedLeadRow> | undefined;
  channels: Channel[];
  meta: (() => Promise<void>) | undefined;
  workerThread?: SupervisedThread | undefined;
}): Record<string, ReadinessCheck> {
  const { workerThread } = parts;
  const { pool, boss, spool } = parts;
  return {
    db: { run: async () => void (await pool.query('SELECT 1')), whenFailing: () => (spool?.canAccept() ? 'degraded' : 'failing') },
    queue: {
      run: async () => {
        if (!(await boss.getQueue('deliver-log'))) throw new QueueMissingError('the delivery queues are missing; restart to recreate them');
      },
      whenFailing: (error) => (error instanceof QueueMissingError || !spool?.canAccept() ? 'failing' : 'degraded'),
    },
    ...(spool
      ? {
          spool: {
            run: async () => {
              if (!spool.canAccept()) throw new Error(`the spool in ${spool.dir} is full or cannot be written`);
            },
            whenFailing: 'degraded' as const,
          },
        }
      : {}),
    ...Object.fromEntries(
      parts.channels
        .filter((channel) => channel.name !== 'log')
        .map((channel) => [channel.name, { run: cacheCheck(() => channel.check(), 30_000), whenFailing: 'degraded' as const }]),
    ),
    ...(parts.meta ? { meta: { run: parts.meta, whenFailing: 'degraded' as const } } : {}),
    // Capture goes on while the worker thread restarts (leads wait in the outbox), so a load balancer keeps us.
    ...(workerThread
      ? {
          workers: {
            run: async () => {
              if (!workerThread.isRunning()) throw new Error('the worker thread is restarting; new leads wait in the outbox');
            },
            whenFailing: 'degraded' as const,
          },
        }
      : {}),
  };
}

/** Migrations run on a connection of their own, without the request timeouts (a migration may take long). */
async function migrateOnce(connectionString: string, logger: Logger): Promise<void> {
  const pool = createPool({
    connectionString,
    max: 1,
    applicationName: 'leadline-migrate',
    connectTimeoutMs: 10_000,
    statementTimeoutMs: 0,
    queryTimeoutMs: 0,
    onError: (error) => logger.warn({ err: error }, 'the migration connection failed'),
  });
  try {
    const migrations = await migrate(pool);
    if (migrations.applied.length > 0) logger.info({ applied: migrations.applied }, 'database migrated');
  } finally {
    await pool.end();
  }
}

/** Everything under /api/admin: the bearer key first, then a JSON body parser, then the feature routes. */
function adminRouter(adminApiKey: string, routers: express.Router[]): express.Router {
  const router = express.Router();
  router.use('/api/admin', requireAdminKey(adminApiKey), express.json({ limit: '64kb' }));
  for (const feature of routers) router.use(feature);
  return router;
}

function listen(app: import('express').Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
    server.keepAliveTimeout = 65_000;
  });
}

/**
 * A connection accepted just before the close may not have sent its request yet, and Node counts it as idle:
 * closing it at once would reset a client that did nothing wrong. For this long every such request is still
 * read and answered (a 503 with `Connection: close` while shutting down); then idle sockets are closed.
 */
const CLOSE_GRACE_MS = 250;

/** Stops accepting, lets in-flight requests finish, then closes idle keep-alive sockets. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    let idleSweep: NodeJS.Timeout | undefined;
    const grace = setTimeout(() => {
      server.closeIdleConnections();
      idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    }, CLOSE_GRACE_MS);
    server.close(() => {
      clearTimeout(grace);
      clearInterval(idleSweep);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`leadline: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Decided here, once: the worker thread's stdout is never a terminal, so it takes this answer from the config.
  config = { ...config, logFormat: chooseLogFormat(config.logFormat, process.stdout.isTTY === true) };
  const logger = createLogger({ level: config.logLevel, format: config.logFormat === 'pretty' ? 'pretty' : 'json' });
  const leadline = await startLeadline(config, { logger });

  if (leadline.url) {
    logger.info(`Leadline is running at ${leadline.url} (role ${config.role})`);
    logger.info(`Admin panel: ${leadline.url}/admin`);
    if (!config.adminApiKey) logger.info(`ADMIN_API_KEY: ${leadline.adminApiKey}`);
    // The first-run banner goes to stdout too, so a newcomer sees the key even with LOG_LEVEL=warn.
    process.stdout.write(
      `\n  Leadline   ${leadline.url}\n  Admin      ${leadline.url}/admin\n${config.adminApiKey ? '' : `  Admin key  ${leadline.adminApiKey}\n`}\n`,
    );
  } else logger.info(`Leadline worker running (role ${config.role})`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight work');
    const deadline = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 9_500);
    deadline.unref();
    leadline
      .stop()
      .then(() => {
        logger.info('stopped cleanly');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    process.stderr.write(`leadline: failed to start: ${explainStartFailure(error)}\n`);
    process.exit(1);
  });
}
