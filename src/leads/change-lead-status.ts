import { appendEventsSql, encodeEvents, newEvent } from '../events/append-events.ts';
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
      await recordAdminAction(client, {
        actor: input.actor,
        action: 'lead.status',
        targetType: 'lead',
        targetId: lead.id,
        details: { status: input.status, changed: false },
      });
      return {
        id: lead.id,
        status: lead.status,
        previousStatus: lead.status,
        changed: false,
        responded: false,
        firstResponseAt: lead.firstResponseAt,
        slaBreached: lead.slaBreached,
      };
    }

    const actor = input.actor ?? 'admin';
    await client.query(
      /* sql */ `
      WITH lead AS (
        UPDATE conversations SET status = $2, updated_at = $3 WHERE id = $1 RETURNING id
      ),${appendEventsSql(4, { when: 'EXISTS (SELECT 1 FROM lead)' })}
      SELECT count(*) FROM appended_events`,
      [
        lead.id,
        input.status,
        input.now,
        encodeEvents([
          newEvent(
            'lead.status_changed',
            lead.id,
            { from: lead.status, to: input.status },
            { createdAt: input.now, describe: { actor: { type: 'agent', id: actor } } },
          ),
        ]),
      ],
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
    return {
      id: lead.id,
      status: input.status,
      previousStatus: lead.status,
      changed: true,
      responded,
      firstResponseAt,
      slaBreached: lead.slaBreached,
    };
  });
}
