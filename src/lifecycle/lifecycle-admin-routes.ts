import express, { type Router } from 'express';
import type { Pool } from '../db/create-pool.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import { leadIdParam } from '../http/admin-request.ts';
import { recordAdminAction } from '../leads/record-admin-action.ts';
import { AppError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { eraseLead } from './erase-lead.ts';
import { exportLead } from './export-lead.ts';

export interface LifecycleAdminDeps {
  db: Pool;
  clock: Clock;
  /** Tells the live streams, after the commit, that the `lead.erased` event is there. */
  announce?: AnnounceEvents | undefined;
}

/** Who did it, in the audit log: the admin API has one key, so one actor. */
const ADMIN_ACTOR = 'admin-api-key';

/**
 * What the admin API does about a lead's data as a whole: export it (GDPR Art. 15) and erase it (Art. 17).
 * Mounted behind the admin key.
 */
export function lifecycleAdminRoutes(deps: LifecycleAdminDeps): Router {
  const router = express.Router();

  router.get('/api/admin/leads/:id/export', async (req, res) => {
    const id = leadIdParam(req);
    const document = await exportLead(deps.db, id, deps.clock.now());
    if (!document) throw new AppError('not_found', 'no lead has this id (an erased lead has nothing left to export)');
    await recordAdminAction(deps.db, { actor: ADMIN_ACTOR, action: 'lead.export', targetType: 'lead', targetId: id });
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Disposition', `attachment; filename="lead-${id}.json"`);
    res.json(document);
  });

  /**
   * 204 when the lead is erased now or was erased before (a repeat is not an error). 404 when no lead has
   * the id: the request is remembered, so a lead still in a spool (acknowledged with 202 while the database
   * was away) is erased as it is written.
   */
  router.delete('/api/admin/leads/:id', async (req, res) => {
    const id = leadIdParam(req);
    const result = await eraseLead(deps.db, { id, now: deps.clock.now(), actor: ADMIN_ACTOR, via: 'admin', rememberWhenMissing: true });
    if (result.outcome === 'not_found') {
      throw new AppError(
        'not_found',
        'no lead has this id; if it was acknowledged as spooled (202) it is erased as soon as it reaches the database',
      );
    }
    if (result.outcome === 'erased') deps.announce?.();
    res.status(204).end();
  });

  return router;
}
