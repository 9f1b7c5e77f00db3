import express, { type Router } from 'express';
import { z } from 'zod';
import type { Pool } from '../db/create-pool.ts';
import { leadIdParam, optionalJsonBody, parseRequest } from '../http/admin-request.ts';
import type { AnnounceEvents } from '../events/announce-events.ts';
import type { Clock } from '../shared/clock.ts';
import { changeLeadAssignee } from './change-lead-assignee.ts';
import { changeLeadStatus } from './change-lead-status.ts';
import { LEAD_STATUSES } from './lead-vocabulary.ts';
import { recordLeadResponse } from './record-lead-response.ts';

export interface LeadAdminRouteDeps {
  db: Pool;
  clock: Clock;
  /** Tells the relay and the live streams, after a commit, that events were written. */
  announce?: AnnounceEvents;
}

export const respondBody = z.strictObject({
  note: z.string().trim().max(2_000).optional(),
  responder: z.string().trim().min(1).max(100).optional(),
});
export const patchBody = z
  .strictObject({
    status: z.enum(LEAD_STATUSES).optional(),
    assigned_to: z.guid('is not an agent id (a UUID)').nullable().optional(),
  })
  .refine((body) => body.status !== undefined || body.assigned_to !== undefined, {
    message: 'is required (or send assigned_to)',
    path: ['status'],
  });

/** What a person does to a lead from the admin API: answer it, change its status. Mounted behind the admin key. */
export function leadAdminRoutes(deps: LeadAdminRouteDeps): Router {
  const router = express.Router();

  router.post('/api/admin/leads/:id/respond', optionalJsonBody, async (req, res) => {
    const id = leadIdParam(req);
    const body = parseRequest(respondBody, req.body);
    const result = await recordLeadResponse(deps.db, { id, now: deps.clock.now(), responder: body.responder, note: body.note });
    if (result.responded) deps.announce?.();
    res.status(200).json({
      id: result.id,
      status: result.status,
      first_response_at: result.firstResponseAt.toISOString(),
      within_sla: result.withinSla,
      sla_breached: result.slaBreached,
      completed_task_ids: result.completedTaskIds,
      ...(result.responded ? {} : { already_responded: true }),
    });
  });

  router.patch('/api/admin/leads/:id', optionalJsonBody, async (req, res) => {
    const id = leadIdParam(req);
    const body = parseRequest(patchBody, req.body);
    const assignment =
      body.assigned_to === undefined
        ? undefined
        : await changeLeadAssignee(deps.db, { id, agentId: body.assigned_to, now: deps.clock.now() });
    if (assignment?.changed) deps.announce?.();
    const assignedFields = assignment
      ? { assigned_to: assignment.assignedTo, previous_assigned_to: assignment.previous, assignment_changed: assignment.changed }
      : {};
    if (body.status === undefined) {
      res.status(200).json({ id, ...assignedFields });
      return;
    }
    const result = await changeLeadStatus(deps.db, { id, status: body.status, now: deps.clock.now() });
    if (result.changed) deps.announce?.();
    res.status(200).json({
      id: result.id,
      status: result.status,
      previous_status: result.previousStatus,
      changed: result.changed,
      responded: result.responded,
      first_response_at: result.firstResponseAt?.toISOString() ?? null,
      sla_breached: result.slaBreached,
      ...assignedFields,
    });
  });

  return router;
}
