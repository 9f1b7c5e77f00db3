import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { zodIssuesToFieldErrors } from '../http/zod-issues-to-field-errors.ts';
import type { Pool } from '../db/create-pool.ts';
import { AppError, validationError } from '../shared/app-error.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { leadIdSchema, listLeadsQuerySchema } from './admin-query-schemas.ts';
import type { LeadEventHub } from './create-lead-event-hub.ts';
import { getAdminStats, type AdminStats } from './get-admin-stats.ts';
import { getLeadDetail } from './get-lead-detail.ts';
import { decodeLeadCursor } from './lead-cursor.ts';
import { listLeads } from './list-leads.ts';
import { streamLeadEvents } from './stream-lead-events.ts';

export interface AdminReadDeps {
  db: Pool;
  /** The process's one shared LISTEN connection for `/api/admin/stream` (createLeadEventHub). */
  eventHub: LeadEventHub;
  clock?: Clock;
  /** Where "today" starts for the stats (IANA zone); the digest's zone is a natural choice. */
  timeZone?: string;
  /** Numbers other modules add to `/api/admin/stats` (e.g. Meta leads recovered by polling), merged in at the top level. */
  extraStats?: () => Promise<Record<string, unknown>>;
  logger?: Logger;
  heartbeatIntervalMs?: number;
}

/**
 * `GET /api/admin/stats`: the stats, the numbers `extraStats` plugs in at the top level (e.g. `ingestion`),
 * and when they were read.
 */
export type AdminStatsResponse = AdminStats & { generated_at: string; [extra: string]: unknown };

/**
 * The admin read API. Paths are absolute; main.ts mounts the router behind `requireAdminKey`, which covers
 * every `/api/admin/*` path. The write routes (respond, status, pause, retry…) live with their features.
 */
export function adminReadRoutes(deps: AdminReadDeps): Router {
  const router = express.Router();
  const clock = deps.clock ?? systemClock;
  const timeZone = deps.timeZone ?? 'UTC';

  router.get('/api/admin/leads', async (req, res) => {
    const parsed = listLeadsQuerySchema.safeParse(req.query);
    if (!parsed.success) throw validationError(zodIssuesToFieldErrors(parsed.error));
    const { status, quality, source, q, cursor, limit, assigned_to: assignedTo, sort } = parsed.data;
    const after = cursor === undefined ? undefined : decodeLeadCursor(cursor);
    if (cursor !== undefined && after === undefined) {
      throw validationError([{ path: 'cursor', message: 'is not a cursor from this API; use next_cursor from the previous page' }]);
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(await listLeads(deps.db, { status, quality, source, q, assignedTo, sort, after, limit }, clock.now()));
  });

  router.get('/api/admin/leads/:id', async (req, res) => {
    const id = leadIdSchema.safeParse(req.params['id']);
    if (!id.success) throw validationError([{ path: 'id', message: 'is not a lead id (a UUID)' }]);
    const detail = await getLeadDetail(deps.db, id.data, clock.now());
    if (!detail) throw new AppError('not_found', 'no lead has this id');
    res.setHeader('Cache-Control', 'no-store');
    res.json(detail);
  });

  router.get('/api/admin/stats', async (_req, res) => {
    const [stats, extra] = await Promise.all([getAdminStats(deps.db, clock.now(), timeZone), readExtraStats(deps)]);
    const body: AdminStatsResponse = { ...extra, ...stats, generated_at: clock.now().toISOString() };
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  });

  router.get(
    '/api/admin/stream',
    streamLeadEvents({
      db: deps.db,
      hub: deps.eventHub,
      ...(deps.heartbeatIntervalMs ? { heartbeatIntervalMs: deps.heartbeatIntervalMs } : {}),
    }),
  );

  return router;
}

/** A failing plug-in must not take the whole stats view down with it: its numbers are left out and logged. */
async function readExtraStats(deps: AdminReadDeps): Promise<Record<string, unknown>> {
  if (!deps.extraStats) return {};
  try {
    return await deps.extraStats();
  } catch (error) {
    deps.logger?.warn({ err: error }, 'extra admin stats failed; leaving them out');
    return { extra_stats_unavailable: true };
  }
}
