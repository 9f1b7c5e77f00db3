import type { Notice } from '../channels/channel.ts';
import type { Queryable } from '../db/create-pool.ts';
import type { EventType } from '../events/event-types.ts';
import type { LeadQuality } from '../leads/lead-vocabulary.ts';

/** What a delivery sends (the notice) and the event it comes from. */
export interface DeliveryNotice {
  notice: Notice;
  eventType: EventType;
  conversationId: string | null;
}

interface NoticeRow {
  id: string;
  event_type: EventType;
  conversation_id: string | null;
  lead_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  source: string | null;
  quality: LeadQuality | null;
  score: number | null;
  message: string | null;
  created_at: Date | null;
  sla_response_deadline: Date | null;
  digest_subject: string | null;
  digest_text: string | null;
  digest_html: string | null;
  alert_title: string | null;
  alert_detail: string | null;
  assignee_name: string | null;
  team_exists: boolean;
}

/** Signs the one-tap link of a lead alert; `agentId` when the alert goes to that agent's own address. */
export type TeamLinkFor = (leadId: string) => Promise<string>;

/**
 * Builds the notice for each event (by id) in one query: from its lead, its digest (`digests`, named by the
 * payload's `digest_id`) or its alert text (`operator_alerts`). Events carry no text of their own, so the
 * event stream names nobody; the words come from the tables they belong to. An erased lead has no notice:
 * its lead alerts are buried as skipped, whenever they come out of the queue (a pause included).
 */
export async function loadDeliveryNotices(
  db: Queryable,
  eventIds: string[],
  adminBaseUrl: string,
  teamLinkFor?: TeamLinkFor,
): Promise<Map<string, DeliveryNotice>> {
  const { rows } = await db.query<NoticeRow>({
    name: 'load-delivery-notices',
    text: /* sql */ `
      SELECT e.id::text, e.event_type, e.conversation_id, c.id AS lead_id, c.name, c.email, c.phone, c.source, c.quality,
             c.score, c.message, c.created_at, c.sla_response_deadline,
             d.subject AS digest_subject, d.text AS digest_text, d.html AS digest_html,
             a.title AS alert_title, a.detail AS alert_detail,
             (SELECT g.name FROM agents g WHERE g.id = c.assigned_to) AS assignee_name,
             EXISTS (SELECT 1 FROM agents g WHERE g.active) AS team_exists
      FROM lead_events e
      -- By primary key, whatever the statistics say (a LATERAL with LIMIT is not flattened into a join that
      -- the planner may answer by scanning every lead: 3 ms per call after 1,300 leads, growing with them).
      LEFT JOIN LATERAL (
        SELECT * FROM conversations WHERE id = e.conversation_id AND erased_at IS NULL LIMIT 1
      ) c ON true
      LEFT JOIN digests d ON e.event_type = 'digest.sent'
        AND d.id = CASE WHEN e.payload->>'digest_id' ~ '^[0-9]{1,18}$' THEN (e.payload->>'digest_id')::bigint END
      LEFT JOIN LATERAL (
        SELECT title, detail FROM operator_alerts WHERE event_id = e.id ORDER BY id LIMIT 1
      ) a ON e.event_type IN ('notification.failed', 'ingestion.failed')
      WHERE e.id = ANY($1::bigint[])`,
    values: [eventIds],
  });
  const notices = new Map<string, DeliveryNotice>();
  for (const row of rows) {
    const notice = toNotice(row, adminBaseUrl);
    if (notice && 'lead' in notice && teamLinkFor) notice.lead.teamLink = await teamLinkFor(notice.lead.id);
    if (notice) notices.set(row.id, { notice, eventType: row.event_type, conversationId: row.conversation_id });
  }
  return notices;
}

function toNotice(row: NoticeRow, adminBaseUrl: string): Notice | undefined {
  switch (row.event_type) {
    case 'lead.created':
    case 'sla.warning':
    case 'sla.breached':
      if (row.lead_id === null || row.quality === null || row.created_at === null || row.sla_response_deadline === null) return undefined;
      return {
        kind: row.event_type,
        eventId: row.id,
        lead: {
          id: row.lead_id,
          name: row.name,
          email: row.email,
          phone: row.phone,
          source: row.source ?? 'unknown',
          quality: row.quality,
          score: row.score ?? 0,
          message: row.message,
          createdAt: row.created_at,
          slaDeadline: row.sla_response_deadline,
          adminUrl: `${adminBaseUrl}/admin#/leads/${row.lead_id}`,
          ...(row.team_exists || row.assignee_name !== null ? { assignee: row.assignee_name } : {}),
        },
      };
    case 'notification.failed':
    case 'ingestion.failed':
      return {
        kind: 'operator',
        eventId: row.id,
        title: row.alert_title ?? 'A delivery failed permanently',
        detail: row.alert_detail ?? 'Open the admin panel, section Failed, to see and retry it.',
      };
    case 'digest.sent':
      // No row: nothing to send (the worker buries the delivery as an orphan rather than mail an empty digest).
      if (row.digest_subject === null) return undefined;
      return {
        kind: 'digest',
        eventId: row.id,
        subject: row.digest_subject || 'Leadline daily digest',
        text: row.digest_text ?? '',
        html: row.digest_html ?? '',
      };
    default:
      return undefined;
  }
}
