import express, { type Router } from 'express';
import { z } from 'zod';
import type { Pool } from '../db/create-pool.ts';
import { optionalJsonBody, parseRequest, positiveIdParam, UUID_PATTERN } from '../http/admin-request.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import type { Clock } from '../shared/clock.ts';
import { completeFollowUpTask } from './complete-follow-up-task.ts';
import { listFollowUpTasks, TASK_STATUS_FILTERS } from './list-follow-up-tasks.ts';
import { listSlaLeads } from './list-sla-leads.ts';

export interface SlaAdminRouteDeps {
  db: Pool;
  clock: Clock;
  /** Tells the relay and the live streams, after a commit, that events were written. */
  announce?: AnnounceEvents;
}

export const completeBody = z.strictObject({ completed_by: z.string().trim().min(1).max(100).optional() });
const limitParam = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);
export const tasksQuery = z.object({
  status: z.enum(TASK_STATUS_FILTERS).default('open'),
  lead: z.string().regex(UUID_PATTERN, 'must be a UUID').optional(),
  limit: limitParam(100, 500),
});
export const slaQuery = z.object({ limit: limitParam(200, 1_000) });

/** The SLA side of the admin API: the banner's list and the follow-up tasks. Mounted behind the admin key. */
export function slaAdminRoutes(deps: SlaAdminRouteDeps): Router {
  const router = express.Router();

  router.get('/api/admin/sla', async (req, res) => {
    const query = parseRequest(slaQuery, req.query);
    res.status(200).json(await listSlaLeads(deps.db, deps.clock.now(), query.limit));
  });

  router.get('/api/admin/tasks', async (req, res) => {
    const query = parseRequest(tasksQuery, req.query);
    const tasks = await listFollowUpTasks(deps.db, { status: query.status, conversationId: query.lead, limit: query.limit });
    res.status(200).json({ tasks });
  });

  router.post('/api/admin/tasks/:id/complete', optionalJsonBody, async (req, res) => {
    const id = positiveIdParam(req, 'task');
    const body = parseRequest(completeBody, req.body);
    const result = await completeFollowUpTask(deps.db, { id, now: deps.clock.now(), completedBy: body.completed_by });
    if (result.changed) deps.announce?.();
    res.status(200).json({ task: result.task, ...(result.changed ? {} : { already_done: true }) });
  });

  return router;
}
