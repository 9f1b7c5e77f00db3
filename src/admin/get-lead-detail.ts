import type { Queryable } from '../db/create-pool.ts';

export interface LeadDetail {
  lead: Record<string, unknown>;
  messages: unknown[];
  timeline: unknown[];
  /** Every delivery attempt for this lead's events, oldest first. */
  notifications: unknown[];
  /** The latest attempt per (event, channel): what the panel shows as "delivery status per channel". */
  deliveries: unknown[];
  tasks: unknown[];
}

/**
 * The whole picture of one lead in ONE statement (one round trip, one snapshot), so the parts always agree
 * with each other. `notification_logs.destination` is left out: for Slack it can be a webhook URL, a secret.
 */
const GET_LEAD_DETAIL = /* sql */ `
SELECT
  c.id, c.source, c.external_id, c.name, c.email, c.phone, c.subject, c.message, c.service_type, c.urgency,
  c.property_id, c.property_title, c.custom_fields, c.quality, c.score, c.score_reasons, c.status, c.metadata,
  c.consent, c.created_at, c.updated_at, c.first_response_at, c.sla_response_deadline, c.sla_warning_at,
  c.sla_warned_at, c.sla_breached, c.sla_breached_at,
  (SELECT coalesce(jsonb_agg(to_jsonb(m) ORDER BY m.position, m.id), '[]'::jsonb)
     FROM (SELECT id, role, content, sent_at, position FROM chat_messages WHERE conversation_id = c.id) m) AS messages,
  (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.created_at, t.id), '[]'::jsonb)
     FROM (SELECT id, event_id::text AS event_id, event_type, title, description, actor_type, actor_id, metadata, created_at
           FROM conversation_timeline WHERE conversation_id = c.id) t) AS timeline,
  (SELECT coalesce(jsonb_agg(to_jsonb(n) ORDER BY n.id), '[]'::jsonb)
     FROM (SELECT n.id, n.event_id::text AS event_id, e.event_type, n.channel, n.status, n.attempt, n.error_kind,
                  n.error_message, n.provider_message_id, n.possible_duplicate, n.coalesced_count, n.latency_ms,
                  n.created_at, n.started_at, n.finished_at, n.next_attempt_at, n.retried_at
           FROM notification_logs n JOIN lead_events e ON e.id = n.event_id
           WHERE n.conversation_id = c.id) n) AS notifications,
  (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.event_id::bigint, d.channel), '[]'::jsonb)
     FROM (SELECT DISTINCT ON (n.event_id, n.channel)
                  n.event_id::text AS event_id, e.event_type, n.channel, n.status, n.attempt, n.error_message,
                  n.finished_at, n.next_attempt_at
           FROM notification_logs n JOIN lead_events e ON e.id = n.event_id
           WHERE n.conversation_id = c.id
           ORDER BY n.event_id, n.channel, n.attempt DESC, n.id DESC) d) AS deliveries,
  (SELECT coalesce(jsonb_agg(to_jsonb(f) ORDER BY f.follow_up_date, f.id), '[]'::jsonb)
     FROM (SELECT id, kind, title, follow_up_date, status, sla_deadline, sla_breached, created_at, completed_at, completed_by
           FROM follow_up_tasks WHERE conversation_id = c.id) f) AS tasks
FROM conversations c
WHERE c.id = $1`;

/** Returns undefined when no lead has this id. */
export async function getLeadDetail(db: Queryable, id: string): Promise<LeadDetail | undefined> {
  const { rows } = await db.query<Record<string, unknown> & Omit<LeadDetail, 'lead'>>(GET_LEAD_DETAIL, [id]);
  const row = rows[0];
  if (!row) return undefined;
  const { messages, timeline, notifications, deliveries, tasks, ...lead } = row;
  return { lead, messages, timeline, notifications, deliveries, tasks };
}
