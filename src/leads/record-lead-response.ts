import { recordAdminAction } from './record-admin-action.ts';
import { withTransaction, type Pool } from '../db/create-pool.ts';
import { lockLead, markLeadResponded, type LeadStatus } from './mark-lead-responded.ts';

export interface LeadResponseResult {
  id: string;
  status: LeadStatus;
  firstResponseAt: Date;
  /** False when an earlier response already set `first_response_at`; nothing new was recorded. */
  responded: boolean;
  withinSla: boolean;
  slaBreached: boolean;
  completedTaskIds: string[];
}

/**
 * `POST /api/admin/leads/:id/respond`: the lead was answered. The first call sets `first_response_at`,
 * moves a `new` lead to `contacted` and completes its open follow-up tasks; a repeat changes nothing.
 */
export async function recordLeadResponse(
  pool: Pool,
  input: { id: string; now: Date; responder?: string | undefined; note?: string | undefined; actor?: string | undefined },
): Promise<LeadResponseResult> {
  return withTransaction(pool, async (client) => {
    const lead = await lockLead(client, input.id);
    const responder = input.responder ?? 'admin';
    const marked = await markLeadResponded(client, {
      id: lead.id,
      now: input.now,
      responder,
      via: 'respond',
      promoteNewToContacted: true,
      note: input.note,
    });
    await recordAdminAction(client, {
      actor: input.actor,
      action: 'lead.respond',
      targetType: 'lead',
      targetId: lead.id,
      details: { responded: marked.responded, completed_tasks: marked.completedTaskIds.length },
    });
    const firstResponseAt = marked.firstResponseAt ?? lead.firstResponseAt ?? input.now;
    return {
      id: lead.id,
      status: marked.responded && lead.status === 'new' ? 'contacted' : lead.status,
      firstResponseAt,
      responded: marked.responded,
      withinSla: marked.withinSla ?? (!lead.slaBreached && firstResponseAt.getTime() <= lead.slaDeadline.getTime()),
      slaBreached: lead.slaBreached,
      completedTaskIds: marked.completedTaskIds,
    };
  });
}
