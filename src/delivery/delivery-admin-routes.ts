import express, { type Router } from 'express';
import { recordAdminAction } from '../leads/record-admin-action.ts';
import type { Pool } from '../db/create-pool.ts';
import type { JobQueue } from '../queue/start-job-queue.ts';
import { AppError } from '../shared/app-error.ts';
import type { ChannelName } from '../shared/channel-names.ts';
import { listDeadLetters } from './list-dead-letters.ts';
import { readDeliveriesPaused, setDeliveriesPaused } from './pause-switch.ts';
import { retryDeadDelivery } from './retry-dead-delivery.ts';

export interface DeliveryAdminDeps {
  pool: Pool;
  boss: JobQueue;
  /** The configured channels: a dead delivery of any other has nothing to send it. */
  channels: readonly ChannelName[];
  /** Re-ingests one stored provider payload (Meta); absent when no ingestion source is configured. */
  retryIngestion?: ((rawLeadId: string) => Promise<void>) | undefined;
}

/** Admin routes for outbound deliveries: pause/resume, the dead letters and their retry. */
export function deliveryAdminRoutes(deps: DeliveryAdminDeps): Router {
  const router = express.Router();

  router.get('/api/admin/deliveries', async (_req, res) => {
    res.json({ paused: await readDeliveriesPaused(deps.pool) });
  });

  for (const [path, paused] of [
    ['/api/admin/pause', true],
    ['/api/admin/resume', false],
  ] as const) {
    router.post(path, async (_req, res) => {
      await setDeliveriesPaused(deps.pool, paused);
      await recordAdminAction(deps.pool, { action: paused ? 'deliveries.paused' : 'deliveries.resumed' });
      res.json({ paused });
    });
  }

  router.get('/api/admin/failed', async (_req, res) => {
    res.json(await listDeadLetters(deps.pool));
  });

  router.post('/api/admin/failed/:id/retry', async (req, res) => {
    const match = /^(?:(delivery|ingestion)-)?(\d{1,18})$/.exec(req.params.id);
    if (!match) {
      throw new AppError('validation_failed', 'use an id from GET /api/admin/failed, e.g. delivery-42', {
        errors: [{ path: 'id', message: 'expected delivery-<n> or ingestion-<n>' }],
      });
    }
    const kind = match[1] ?? 'delivery';
    const id = match[2]!;
    if (kind === 'ingestion') {
      if (!deps.retryIngestion) throw new AppError('not_found', 'no ingestion source is configured to retry this payload');
      await deps.retryIngestion(id);
      await recordAdminAction(deps.pool, { action: 'ingestion.retried', targetType: 'raw_lead', targetId: id });
      res.status(202).json({ id: req.params.id, retried: true });
      return;
    }
    const retried = await retryDeadDelivery(deps.pool, deps.boss, id, deps.channels);
    if (!retried)
      throw new AppError('not_found', `delivery-${id} is not a dead delivery waiting for a retry; list them with GET /api/admin/failed`);
    await recordAdminAction(deps.pool, {
      action: 'delivery.retried',
      targetType: 'notification_log',
      targetId: id,
      details: { channel: retried.channel, event_id: retried.eventId },
    });
    res.status(202).json({ id: `delivery-${id}`, retried: true, channel: retried.channel, event_id: retried.eventId });
  });

  return router;
}
