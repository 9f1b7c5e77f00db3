import { recordAdminAction } from './record-admin-action.ts';
import { withTransaction, type Pool } from '../db/create-pool.ts';
import { lockLead, markLeadResponded, type LeadStatus } from './mark-lead-responded.ts';

export interface LeadStatusResult {
  id: string;
  status: LeadStatus;
  previousStatus: LeadStatus;
  changed: boolean;
  /** True when leaving `new` counted as the lead's first response. */
  responded: boolean;
  firstResponseAt: Date | null;
  slaBreached: boolean;
}

/**
 * `PATCH /api/admin/leads/:id {status}`. Moving a lead away from `new` is a response (someone looked at it
 * and decided), so an unanswered lead stops its SLA clock here as with `respond`.
 */
export async function changeLeadStatus(
  pool: Pool,
  input: { id: string; status: LeadStatus; now: Date; actor?: string | undefined },
): Promise<LeadStatusResult> {
  return withTransaction(pool, async (client) => {
    const lead = await lockLead(client, input.id);
    if (lead.status === input.status) {
      await recordAdminAction(client, { actor: input.actor, action: 'lead.status', targetType: 'lead', targetId: lead.id, details: { status: input.status, changed: false } });
      return { id: lead.id, status: lead.status, previousStatus: lead.status, changed: false, responded: false, firstResponseAt: lead.firstResponseAt, slaBreached: lead.slaBreached };
    }

    await client.query(
      /* sql */ `
      WITH lead AS (
        UPDATE conversations SET status = $2, updated_at = $3 WHERE id = $1 RETURNING id
      ), event AS (
        INSERT INTO lead_events (event_type, conversation_id, payload, created_at, processed_at)
        SELECT 'lead.status_changed', id, jsonb_build_object('from', $4::text, 'to', $2::text), $3, now() FROM lead
        RETURNING id, conversation_id
      )
      INSERT INTO conversation_timeline (conversation_id, event_id, event_type, title, description, actor_type, actor_id, created_at)
      SELECT conversation_id, id, 'lead.status_changed', 'Status changed to ' || $2, 'From ' || $4 || ' to ' || $2 || '.', 'agent', $5, $3
        FROM event`,
      [lead.id, input.status, input.now, lead.status, input.actor ?? 'admin'],
    );

    let responded = false;
    let firstResponseAt = lead.firstResponseAt;
    if (lead.status === 'new' && lead.firstResponseAt === null) {
      const marked = await markLeadResponded(client, {
        id: lead.id,
        now: input.now,
        responder: input.actor ?? 'admin',
        via: 'status_change',
        promoteNewToContacted: false,
        note: `Status changed from new to ${input.status}.`,
      });
      responded = marked.responded;
      firstResponseAt = marked.firstResponseAt ?? firstResponseAt;
    }
    await recordAdminAction(client, {
      actor: input.actor,
      action: 'lead.status',
      targetType: 'lead',
      targetId: lead.id,
      details: { from: lead.status, to: input.status, responded },
    });
    return { id: lead.id, status: input.status, previousStatus: lead.status, changed: true, responded, firstResponseAt, slaBreached: lead.slaBreached };
  });
}
