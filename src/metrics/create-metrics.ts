import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queryable } from '../db/create-pool.ts';
import { foldRareLabelValues } from './fold-rare-label-values.ts';
import { readMetricSamples, type MetricSample } from './read-metric-samples.ts';

/** More distinct lead sources than this are folded into source="other": clients choose sources. */
const MAX_SOURCE_SERIES = 50;

/** A scrape's database snapshot is shared by every gauge of that scrape (prom-client collects them at once). */
const SNAPSHOT_TTL_MS = 1_000;

export interface Metrics {
  registry: Registry;
  /** HTTP requests by route template, method and status class (2xx, 4xx, …). */
  httpRequestDuration: Histogram<'route' | 'method' | 'status_class'>;
  /** From a lead's capture to the provider accepting its alert, per channel. */
  deliveryLatency: Histogram<'channel'>;
  /** Capture outcomes in this process (they only go up; a restart starts them at 0, as Prometheus expects). */
  captures: Counter<'route' | 'outcome'>;
  /** Delivery outcomes in this process. */
  deliveries: Counter<'channel' | 'outcome'>;
  /** Rows the retention prune deleted in this process, by table. */
  retentionPruned: Counter<'table'>;
}

export interface MetricsSources {
  /** The database the gauges are read from; absent = no database gauges (tests of the HTTP metrics only). */
  db?: Queryable;
  /** Ready/active jobs per pg-boss queue. */
  queueDepths?: () => Promise<{ queue: string; ready: number; active: number; deferred: number }[]>;
  now?: () => Date;
  /** Labels on the default runtime metrics, e.g. `{ thread: 'worker' }` for the worker thread of ROLE=all. */
  defaultLabels?: Record<string, string>;
}

/**
 * The process's metrics on prom-client: the default process and runtime metrics (CPU, memory, heap,
 * event-loop lag, GC pauses), two histograms, in-process counters, and gauges read from the database at
 * scrape time by ONE query (one round trip and one snapshot per scrape; counts and ages only, no personal
 * data). When the database cannot be reached the scrape still answers, with `leadline_database_up 0`.
 */
/** Default metrics whose names break the counter-suffix rule; left out of /metrics. */
const MISNAMED_DEFAULT_METRICS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function createMetrics(sources: MetricsSources = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({
    register: registry,
    eventLoopMonitoringPrecision: 10,
    ...(sources.defaultLabels ? { labels: sources.defaultLabels } : {}),
  });
  // prom-client names these three gauges `_total`, which promtool (and Prometheus's naming rules) reserve for
  // counters; `nodejs_active_handles` and `nodejs_active_requests` (without the suffix) carry the same numbers.
  for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  const now = sources.now ?? (() => new Date());

  let snapshot: { at: number; samples: Promise<MetricSample[] | undefined> } | undefined;
  const samples = (): Promise<MetricSample[] | undefined> => {
    if (!sources.db) return Promise.resolve(undefined);
    const db = sources.db;
    if (!snapshot || Date.now() - snapshot.at > SNAPSHOT_TTL_MS) {
      snapshot = { at: Date.now(), samples: readMetricSamples(db, now()).catch(() => undefined) };
    }
    return snapshot.samples;
  };
  const fromSnapshot = (name: string, help: string, key: string, labelNames: string[] = [], fold?: string) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        const all = await samples();
        const ofKey = (all ?? []).filter((sample) => sample.metric === key).map(({ labels, value }) => ({ labels, value: Number(value) }));
        for (const sample of fold ? foldRareLabelValues(ofKey, fold, MAX_SOURCE_SERIES) : ofKey) {
          // In the declared order, so a series reads the same whatever order the database gave its labels.
          this.set(Object.fromEntries(labelNames.map((label) => [label, sample.labels[label] ?? ''])), sample.value);
        }
      },
    });

  if (sources.db) {
    new Gauge({
      name: 'leadline_database_up',
      help: 'Whether the last metrics query reached the database.',
      registers: [registry],
      async collect() {
        this.set((await samples()) === undefined ? 0 : 1);
      },
    });
    fromSnapshot(
      'leadline_leads',
      'Leads stored, by source and quality (a gauge: erasure and retention can lower it).',
      'leads',
      ['source', 'quality'],
      'source',
    );
    fromSnapshot('leadline_outbox_unprocessed_events', 'Events the relay has not processed yet (outbox lag).', 'outbox_unprocessed');
    fromSnapshot(
      'leadline_outbox_oldest_unprocessed_age_seconds',
      'Age of the oldest unprocessed event; 0 when the outbox is empty.',
      'outbox_oldest_age_seconds',
    );
    fromSnapshot(
      'leadline_notification_attempts',
      'Delivery attempts in notification_logs, by channel and current status.',
      'notification_logs',
      ['channel', 'status'],
    );
    fromSnapshot('leadline_dead_letters', 'Dead letters waiting for a retry: deliveries and failed provider payloads.', 'dead_letters', [
      'kind',
    ]);
    fromSnapshot('leadline_sla_breached_leads', 'Leads whose response deadline was breached.', 'sla_breached');
    fromSnapshot('leadline_sla_overdue_open_leads', 'Unanswered leads past their response deadline right now.', 'sla_overdue_open');
  }
  if (sources.queueDepths) {
    const queueDepths = sources.queueDepths;
    new Gauge({
      name: 'leadline_queue_jobs',
      help: 'Jobs per pg-boss queue: ready to run, active (held by a worker), deferred (retries and timers).',
      labelNames: ['queue', 'state'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const depth of await queueDepths().catch(() => [])) {
          this.set({ queue: depth.queue, state: 'ready' }, depth.ready);
          this.set({ queue: depth.queue, state: 'active' }, depth.active);
          this.set({ queue: depth.queue, state: 'deferred' }, depth.deferred);
        }
      },
    });
  }

  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route template, method and status class.',
      labelNames: ['route', 'method', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'leadline_delivery_latency_seconds',
      help: "From a lead's capture to the provider accepting its alert, per channel.",
      labelNames: ['channel'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
      registers: [registry],
    }),
    captures: new Counter({
      name: 'leadline_captures_total',
      help: 'Capture requests answered by this process, by route and outcome (created, duplicate, spooled).',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    }),
    deliveries: new Counter({
      name: 'leadline_deliveries_total',
      help: 'Delivery attempts finished by this process, by channel and outcome (sent, retrying, dead, held by a disabled webhook endpoint).',
      labelNames: ['channel', 'outcome'],
      registers: [registry],
    }),
    retentionPruned: new Counter({
      name: 'leadline_retention_pruned_total',
      help: 'Rows deleted by the retention prune in this process (RETENTION_RAW, RETENTION_LOGS, RETENTION_DEAD), by table.',
      labelNames: ['table'],
      registers: [registry],
    }),
  };
}
