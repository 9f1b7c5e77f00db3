import type { Notice } from '../channels/channel.ts';
import type { LeadQuality as Quality } from '../leads/lead-vocabulary.ts';
import type { Queryable } from '../db/create-pool.ts';
import type { EventType } from '../events/event-types.ts';

interface NoticeRow {
  id: string;
  event_type: EventType;
  payload: Record<string, unknown>;
  lead_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  source: string | null;
  quality: Quality | null;
  score: number | null;
  message: string | null;
  created_at: Date | null;
  sla_response_deadline: Date | null;
  digest_subject: string | null;
  digest_text: string | null;
  digest_html: string | null;
}

const text = (value: unknown, fallback: string) => (typeof value === 'string' && value !== '' ? value : fallback);

/**
 * Builds the notice for each event (by id) from the event and its lead, or its digest, in one query. A
 * `digest.sent` event names its `digests` row by `digest_id`; the rendered digest lives only there, so the
 * event stream carries no lead names.
 */
export async function loadDeliveryNotices(db: Queryable, eventIds: string[], adminBaseUrl: string): Promise<Map<string, Notice>> {
  const { rows } = await db.query<NoticeRow>({
    name: 'load-delivery-notices',
    text: /* sql */ `
      SELECT e.id::text, e.event_type, e.payload, c.id AS lead_id, c.name, c.email, c.phone, c.source, c.quality,
             c.score, c.message, c.created_at, c.sla_response_deadline,
             d.subject AS digest_subject, d.text AS digest_text, d.html AS digest_html
      FROM lead_events e
      LEFT JOIN conversations c ON c.id = e.conversation_id
      LEFT JOIN digests d ON e.event_type = 'digest.sent'
        AND d.id = CASE WHEN e.payload->>'digest_id' ~ '^[0-9]{1,18}$' THEN (e.payload->>'digest_id')::bigint END
      WHERE e.id = ANY($1::bigint[])`,
    values: [eventIds],
  });
  const notices = new Map<string, Notice>();
  for (const row of rows) {
    const notice = toNotice(row, adminBaseUrl);
    if (notice) notices.set(row.id, notice);
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
        },
      };
    case 'notification.failed':
    case 'ingestion.failed':
      return {
        kind: 'operator',
        eventId: row.id,
        title: text(row.payload['title'], 'A delivery failed permanently'),
        detail: text(row.payload['detail'], 'Open the admin panel, section Failed, to see and retry it.'),
      };
    case 'digest.sent':
      // No row: nothing to send (the worker buries the delivery as an orphan rather than mail an empty digest).
      if (row.digest_subject === null) return undefined;
      return {
        kind: 'digest',
        eventId: row.id,
        subject: text(row.digest_subject, 'Leadline daily digest'),
        text: row.digest_text ?? '',
        html: row.digest_html ?? '',
      };
    default:
      return undefined;
  }
}
