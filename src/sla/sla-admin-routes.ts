import express, { type Request, type RequestHandler, type Router } from 'express';
import { z } from 'zod';
import { zodIssuesToFieldErrors } from '../capture/zod-issues-to-field-errors.ts';
import type { Pool } from '../db/create-pool.ts';
import { AppError, validationError } from '../shared/app-error.ts';
import type { Clock } from '../shared/clock.ts';
import { changeLeadStatus } from './change-lead-status.ts';
import { completeFollowUpTask } from './complete-follow-up-task.ts';
import { listFollowUpTasks, TASK_STATUS_FILTERS } from './list-follow-up-tasks.ts';
import { listSlaLeads } from './list-sla-leads.ts';
import { LEAD_STATUSES } from './mark-lead-responded.ts';
import { recordLeadResponse } from './record-lead-response.ts';

export interface SlaAdminRouteDeps {
  db: Pool;
  clock: Clock;
}

const ADMIN_BODY_LIMIT = '16kb';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const respondBody = z.strictObject({
  note: z.string().trim().max(2_000).optional(),
  responder: z.string().trim().min(1).max(100).optional(),
});
const statusBody = z.strictObject({ status: z.enum(LEAD_STATUSES) });
const completeBody = z.strictObject({ completed_by: z.string().trim().min(1).max(100).optional() });
const limitParam = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const tasksQuery = z.object({
  status: z.enum(TASK_STATUS_FILTERS).default('open'),
  lead: z.string().regex(UUID, 'must be a UUID').optional(),
  limit: limitParam(100, 500),
});
const slaQuery = z.object({ limit: limitParam(200, 1_000) });

/** A JSON body is optional on these actions; when one is sent it must be JSON. */
const optionalJsonBody: RequestHandler = (req, res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!hasBody) {
    req.body = {};
    next();
    return;
  }
  if (!req.is(['application/json', 'application/*+json'])) {
    next(new AppError('unsupported_media_type', 'send application/json'));
    return;
  }
  express.json({ limit: ADMIN_BODY_LIMIT })(req, res, next);
};

function parse<Schema extends z.ZodType>(schema: Schema, value: unknown, pathPrefix = ''): z.infer<Schema> {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    throw validationError(zodIssuesToFieldErrors(parsed.error).map((e) => ({ ...e, path: pathPrefix && e.path ? `${pathPrefix}.${e.path}` : e.path || pathPrefix })));
  }
  return parsed.data;
}

function leadId(req: Request): string {
  const id = String(req.params['id'] ?? '');
  if (!UUID.test(id)) throw validationError([{ path: 'id', message: 'must be a lead id (a UUID)' }]);
  return id;
}

function taskId(req: Request): string {
  const id = String(req.params['id'] ?? '');
  if (!/^[1-9]\d{0,17}$/.test(id)) throw validationError([{ path: 'id', message: 'must be a task id (a positive whole number)' }]);
  return id;
}

/**
 * The SLA side of the admin API, with absolute paths. Mounted behind the admin-key guard by main.ts.
 */
export function slaAdminRoutes(deps: SlaAdminRouteDeps): Router {
  const router = express.Router();

  router.post('/api/admin/leads/:id/respond', optionalJsonBody, async (req, res) => {
    const id = leadId(req);
    const body = parse(respondBody, req.body);
    const result = await recordLeadResponse(deps.db, { id, now: deps.clock.now(), responder: body.responder, note: body.note });
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
    const id = leadId(req);
    const body = parse(statusBody, req.body);
    const result = await changeLeadStatus(deps.db, { id, status: body.status, now: deps.clock.now() });
    res.status(200).json({
      id: result.id,
      status: result.status,
      previous_status: result.previousStatus,
      changed: result.changed,
      responded: result.responded,
      first_response_at: result.firstResponseAt?.toISOString() ?? null,
      sla_breached: result.slaBreached,
    });
  });

  router.get('/api/admin/sla', async (req, res) => {
    const query = parse(slaQuery, req.query);
    res.status(200).json(await listSlaLeads(deps.db, deps.clock.now(), query.limit));
  });

  router.get('/api/admin/tasks', async (req, res) => {
    const query = parse(tasksQuery, req.query);
    const tasks = await listFollowUpTasks(deps.db, { status: query.status, conversationId: query.lead, limit: query.limit });
    res.status(200).json({ tasks });
  });

  router.post('/api/admin/tasks/:id/complete', optionalJsonBody, async (req, res) => {
    const id = taskId(req);
    const body = parse(completeBody, req.body);
    const result = await completeFollowUpTask(deps.db, { id, now: deps.clock.now(), completedBy: body.completed_by });
    res.status(200).json({ task: result.task, ...(result.changed ? {} : { already_done: true }) });
  });

  return router;
}
