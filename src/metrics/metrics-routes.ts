import express, { type RequestHandler, type Router } from 'express';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { bearerMatches } from '../http/bearer-matches.ts';
import { AppError } from '../shared/app-error.ts';
import type { Metrics } from './create-metrics.ts';

export interface MetricsRouteDeps {
  metrics: Metrics;
  /** METRICS_TOKEN: when set, a scrape needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Another registry's metrics to serve beside this one's (the worker thread of ROLE=all), as prom-client JSON. */
  extraMetrics?: () => Promise<unknown>;
}

/** `GET /metrics`: Prometheus text from prom-client; open unless METRICS_TOKEN is set. */
export function metricsRoutes(deps: MetricsRouteDeps): Router {
  const router = express.Router();
  router.get('/metrics', async (req, res) => {
    if (deps.token !== undefined && !bearerMatches(req, deps.token)) {
      throw new AppError('unauthorized', 'send Authorization: Bearer <METRICS_TOKEN>');
    }
    const { registry } = deps.metrics;
    let text: string;
    if (deps.extraMetrics) {
      // A thread that is restarting or slow only leaves its own series out of this scrape.
      const extra = (await deps.extraMetrics().catch(() => [])) as MetricObjectWithValues<MetricValue<string>>[];
      text = await AggregatorRegistry.aggregate([await registry.getMetricsAsJSON(), extra]).metrics();
    } else text = await registry.metrics();
    res.setHeader('Cache-Control', 'no-store');
    res.type(registry.contentType).send(text);
  });
  return router;
}

/**
 * Times every request into `http_request_duration_seconds` by its route template (`/api/admin/leads/:id`,
 * never the raw path: ids would make a series each), method and status class.
 */
export function observeRequestDurations(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      metrics.httpRequestDuration.observe(
        { route, method: req.method, status_class: `${Math.floor(res.statusCode / 100)}xx` },
        (performance.now() - started) / 1000,
      );
    });
    next();
  };
}
