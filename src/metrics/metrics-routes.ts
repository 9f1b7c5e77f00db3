import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { Queryable } from '../db/create-pool.ts';
import { bearerMatches } from '../http/bearer-matches.ts';
import { AppError } from '../shared/app-error.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { foldRareLabelValues } from './fold-rare-label-values.ts';
import { formatPrometheusText, type MetricFamily } from './format-prometheus-text.ts';
import { readMetricSamples, type MetricSample } from './read-metric-samples.ts';

export interface MetricsDeps {
  db: Queryable;
  /** METRICS_TOKEN: when set, a scrape needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  clock?: Clock;
  logger?: Logger;
}

/** More distinct lead sources than this are folded into source="other" (see foldRareLabelValues). */
const MAX_SOURCE_SERIES = 50;

const FAMILIES: { key: string; name: string; help: string; type: MetricFamily['type'] }[] = [
  { key: 'leads', name: 'leadline_leads_total', help: 'Leads captured, by source and quality.', type: 'counter' },
  {
    key: 'outbox_unprocessed',
    name: 'leadline_outbox_unprocessed_events',
    help: 'Events the relay has not processed yet (outbox lag).',
    type: 'gauge',
  },
  {
    key: 'outbox_oldest_age_seconds',
    name: 'leadline_outbox_oldest_unprocessed_age_seconds',
    help: 'Age of the oldest unprocessed event; 0 when the outbox is empty.',
    type: 'gauge',
  },
  {
    key: 'notification_logs',
    name: 'leadline_notification_attempts',
    help: 'Delivery attempts in notification_logs, by channel and current status.',
    type: 'gauge',
  },
  {
    key: 'dead_letters',
    name: 'leadline_dead_letters',
    help: 'Dead letters waiting for a retry: deliveries and failed provider payloads.',
    type: 'gauge',
  },
  { key: 'sla_breached', name: 'leadline_sla_breached_leads', help: 'Leads whose response deadline was breached.', type: 'gauge' },
  {
    key: 'sla_overdue_open',
    name: 'leadline_sla_overdue_open_leads',
    help: 'Unanswered leads past their response deadline right now.',
    type: 'gauge',
  },
];

/**
 * `GET /metrics`: Prometheus text, no auth, no personal data. When the database cannot be reached the
 * scrape still answers, with `leadline_database_up 0`, so the alert says what is wrong.
 */
export function metricsRoutes(deps: MetricsDeps): Router {
  const router = express.Router();
  const clock = deps.clock ?? systemClock;

  router.get('/metrics', async (req, res) => {
    if (deps.token !== undefined && !bearerMatches(req, deps.token)) {
      throw new AppError('unauthorized', 'send Authorization: Bearer <METRICS_TOKEN>');
    }
    let samples: MetricSample[] = [];
    let databaseUp = 1;
    try {
      samples = await readMetricSamples(deps.db, clock.now());
    } catch (error) {
      databaseUp = 0;
      deps.logger?.warn({ err: error }, 'metrics could not read the database');
    }

    const families: MetricFamily[] = [
      {
        name: 'leadline_database_up',
        help: 'Whether the last metrics query reached the database.',
        type: 'gauge',
        samples: [{ labels: {}, value: databaseUp }],
      },
    ];
    if (databaseUp === 1) {
      for (const family of FAMILIES) {
        const ofFamily = samples
          .filter((sample) => sample.metric === family.key)
          .map(({ labels, value }) => ({ labels, value: Number(value) }));
        families.push({
          name: family.name,
          help: family.help,
          type: family.type,
          samples: family.key === 'leads' ? foldRareLabelValues(ofFamily, 'source', MAX_SOURCE_SERIES) : ofFamily,
        });
      }
    }
    families.push({
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes.',
      type: 'gauge',
      samples: [{ labels: {}, value: process.memoryUsage.rss() }],
    });

    res.setHeader('Cache-Control', 'no-store');
    res.type('text/plain; version=0.0.4; charset=utf-8').send(formatPrometheusText(families));
  });

  return router;
}
