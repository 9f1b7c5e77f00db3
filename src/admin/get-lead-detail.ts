import type { ConsentRecord } from '../capture/consent-record.ts';
import type { ScoreReason } from '../capture/score-lead.ts';
import type { ChannelName } from '../shared/channel-names.ts';
import type { Queryable } from '../db/create-pool.ts';
import type { EventType } from '../events/event-types.ts';
import type { LeadQuality, LeadStatus, SlaState } from '../leads/lead-vocabulary.ts';
import { slaStateSql } from '../leads/sla-state-sql.ts';

/** The lead's own row, without `idempotency_key` (internal). */
export interface LeadDetailLead {
  id: string;
  source: string;
  external_id: string | null;
  name: string | null;
  email: string | null;
  phone: string | null;
  subject: string | null;
  message: string | null;
  service_type: string | null;
  urgency: 'emergency' | 'high' | 'medium' | 'low' | null;
  property_id: string | null;
  property_title: string | null;
  custom_fields: Record<string, unknown>;
  quality: LeadQuality;
  score: number;
  score_reasons: ScoreReason[];
  status: LeadStatus;
  metadata: Record<string, unknown>;
  /** What the lead agreed to, when and where (ConsentRecord); null when the request said nothing about consent. */
  consent: ConsentRecord | null;
  created_at: Date;
  updated_at: Date;
  first_response_at: Date | null;
  /** The response deadline (the `sla_response_deadline` column). */
  sla_deadline: Date;
  sla_warning_at: Date;
  sla_warned_at: Date | null;
  sla_breached: boolean;
  sla_breached_at: Date | null;
  /** Where the lead stands at the time of the request (slaStateSql). */
  sla_state: SlaState;
  /** The agent the lead is assigned to (an id), or null. */
  assigned_to: string | null;
  /** That agent's name and role, for the panel (staff data, not the lead's). */
  assignee: { id: string; name: string; role: 'agent' | 'manager'; active: boolean } | null;
}

// The parts below are built by jsonb_agg, so their timestamps arrive as ISO strings and bigints as numbers,
// except where the query casts an id to text.

export interface LeadMessage {
  id: number;
  role: 'user' | 'bot' | 'agent';
  content: string;
  sent_at: string;
  position: number;
}

export interface LeadTimelineEntry {
  id: number;
  event_id: string | null;
  /** Usually an EventType; the column is free text, so other modules may add entries of their own. */
  event_type: string;
  title: string;
  description: string | null;
  actor_type: 'system' | 'agent' | 'customer' | 'bot';
  actor_id: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
}

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'dead' | 'skipped';

export interface LeadNotificationAttempt {
  id: number;
  event_id: string;
  event_type: EventType;
  channel: ChannelName;
  status: DeliveryStatus;
  attempt: number;
  error_kind: 'transient' | 'permanent' | 'rate_limited' | 'interrupted' | null;
  error_message: string | null;
  provider_message_id: string | null;
  possible_duplicate: boolean;
  coalesced_count: number | null;
  latency_ms: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  next_attempt_at: string | null;
  retried_at: string | null;
}

export interface LeadDelivery {
  event_id: string;
  event_type: EventType;
  channel: ChannelName;
  status: DeliveryStatus;
  attempt: number;
  error_message: string | null;
  finished_at: string | null;
  next_attempt_at: string | null;
}

export interface LeadFollowUpTask {
  id: number;
  kind: string;
  title: string;
  follow_up_date: string;
  status: 'scheduled' | 'completed' | 'overdue' | 'cancelled';
  sla_deadline: string;
  sla_breached: boolean;
  created_at: string;
  completed_at: string | null;
  completed_by: string | null;
}

/** `GET /api/admin/leads/:id`. */
export interface LeadDetail {
  lead: LeadDetailLead;
  messages: LeadMessage[];
  timeline: LeadTimelineEntry[];
  /** Every delivery attempt for this lead's events, oldest first. */
  notifications: LeadNotificationAttempt[];
  /** The latest attempt per (event, channel): what the panel shows as "delivery status per channel". */
  deliveries: LeadDelivery[];
  tasks: LeadFollowUpTask[];
}

/**
 * The whole picture of one lead in ONE statement (one round trip, one snapshot), so the parts always agree
 * with each other. `notification_logs.destination` is left out: for Slack it can be a webhook URL, a secret.
 */
const GET_LEAD_DETAIL = /* sql */ `
SELECT
  c.id, c.source, c.external_id, c.name, c.email, c.phone, c.subject, c.message, c.service_type, c.urgency,
  c.property_id, c.property_title, c.custom_fields, c.quality, c.score, c.score_reasons, c.status, c.metadata,
  c.consent, c.created_at, c.updated_at, c.first_response_at, c.sla_response_deadline AS sla_deadline, c.sla_warning_at,
  c.sla_warned_at, c.sla_breached, c.sla_breached_at, ${slaStateSql('c', '$2')} AS sla_state, c.assigned_to,
  (SELECT jsonb_build_object('id', a.id, 'name', a.name, 'role', a.role, 'active', a.active) FROM agents a WHERE a.id = c.assigned_to) AS assignee,
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
WHERE c.id = $1 AND c.erased_at IS NULL`;

/** Returns undefined when no lead has this id or it was erased. `now` decides the lead's `sla_state`. */
export async function getLeadDetail(db: Queryable, id: string, now: Date): Promise<LeadDetail | undefined> {
  const { rows } = await db.query<LeadDetailLead & Omit<LeadDetail, 'lead'>>(GET_LEAD_DETAIL, [id, now]);
  const row = rows[0];
  if (!row) return undefined;
  const { messages, timeline, notifications, deliveries, tasks, ...lead } = row;
  return { lead, messages, timeline, notifications, deliveries, tasks };
}
