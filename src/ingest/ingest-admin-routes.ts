import express, { type Router } from 'express';
import { recordAdminAction } from '../leads/record-admin-action.ts';
import { validationError } from '../shared/app-error.ts';
import type { IngestDeps } from './ingest-deps.ts';
import { MAX_BACKFILL_DAYS } from './poll-meta-forms.ts';
import { reconcileMeta } from './reconcile-meta.ts';

/**
 * `POST /api/admin/reconcile[?backfill_days=N]`: poll Meta now (and replay parked payloads). The composition
 * root puts the admin-key guard in front. Answers when the work is done, with what it found.
 */
export function ingestAdminRoutes(deps: IngestDeps): Router {
  const router = express.Router();
  router.post('/api/admin/reconcile', async (req, res) => {
    const raw = req.query['backfill_days'];
    let backfillDays: number | undefined;
    if (raw !== undefined) {
      backfillDays = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isInteger(backfillDays) || backfillDays < 1 || backfillDays > MAX_BACKFILL_DAYS) {
        throw validationError([
          {
            path: 'backfill_days',
            message: `must be a whole number of days from 1 to ${MAX_BACKFILL_DAYS} (Meta keeps leads for 90 days)`,
          },
        ]);
      }
    }
    const summary = await reconcileMeta(deps, { backfillDays });
    await recordAdminAction(deps.db, {
      action: 'meta.reconciled',
      targetType: 'source',
      targetId: 'meta',
      details: { backfill_days: backfillDays ?? null, resumed: summary.resumed, queued: summary.replay.queued },
    });
    res.json(summary);
  });
  return router;
}
