/**
 * Glossary
 * - lead: one person who asked for something; a row in `conversations`.
 * - event: a past-tense fact about a lead or the system, a row in `lead_events`.
 * - outbox: the unprocessed events. A capture writes the lead and its `lead.created` event in one
 *   transaction, so an event exists if and only if the lead does.
 * - delivery: one (event, channel) pair that must reach a provider exactly once.
 * - attempt: one try of a delivery, a row in `notification_logs`.
 * - SLA: the response deadline a lead gets from its quality (HOT 15 min, WARM 1 h, COLD 24 h).
 *
 * Every event is one of the types below with its payload type. Payloads hold ids, types, times and numbers,
 * never personal data or free text: names, contact details and messages stay in `conversations` and
 * `chat_messages`, rendered texts in `digests` and `operator_alerts`. The event stream is what staff read
 * live (Supabase Realtime), so this is what keeps it free of personal data.
 */
import type { LeadQuality, LeadStatus } from '../leads/lead-vocabulary.ts';

export const EVENT_TYPES = [
  'lead.created',
  'lead.assigned',
  'lead.responded',
  'lead.status_changed',
  'lead.erased',
  'notification.sent',
  'notification.failed',
  'sla.warning',
  'sla.breached',
  'sla.escalated',
  'task.created',
  'task.completed',
  'digest.sent',
  // A provider source stopped (e.g. the Meta token expired): an operator alert.
  'ingestion.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** ISO 8601 time, as events carry times. */
type Instant = string;

export interface EventPayloads {
  'lead.created': { source: string; quality: LeadQuality; score: number; sla_deadline: Instant };
  'lead.assigned': { agent_id: string | null; previous_agent_id: string | null; via: 'round_robin' | 'link' | 'admin' };
  'lead.responded': {
    responded_at: Instant;
    via: 'respond' | 'status_change' | 'link';
    response_seconds: number;
    within_sla: boolean;
    agent_id: string | null;
  };
  'lead.status_changed': { from: LeadStatus; to: LeadStatus };
  /** The lead's personal data is gone; its row stays as an anonymous tombstone. */
  'lead.erased': { erased_at: Instant; via: 'admin' | 'script' | 'spool' };
  'notification.sent': {
    event_id: string;
    event_type: EventType;
    channel: string;
    attempt: number;
    notification_log_id: string;
    possible_duplicate: boolean;
    coalesced_count: number;
  };
  /** The alert's text is the `operator_alerts` row of this event. */
  'notification.failed': {
    event_id: string;
    event_type: EventType;
    /** The channel that failed; the operator alert goes to the others. */
    failed_channel: string;
    notification_log_id: string;
    /** A failed operator alert raises no further alert (that would loop). */
    operator_alert: boolean;
  };
  'sla.warning': { quality: LeadQuality; sla_deadline: Instant; sla_warning_at: Instant; warned_at: Instant; seconds_left: number };
  'sla.breached': { quality: LeadQuality; sla_deadline: Instant; breached_at: Instant };
  'sla.escalated': { managers: number; breached_at: Instant };
  'task.created': { task_id: string; kind: 'sla_follow_up'; follow_up_date: Instant; status: 'scheduled' | 'overdue' };
  'task.completed': { task_id: string; via: 'admin' | 'lead.responded' };
  'digest.sent': { digest_id: string; date: string; leads: number; breaches: number; failed_deliveries: number };
  /** The alert's text is the `operator_alerts` row of this event. */
  'ingestion.failed': { source: string; scope: string };
}

/** One event to append, typed by its `type`. */
export type LeadEvent = {
  [T in EventType]: {
    type: T;
    conversationId: string | null;
    payload: EventPayloads[T];
  };
}[EventType];

export type EventOf<T extends EventType> = Extract<LeadEvent, { type: T }>;

/** Events the relay turns into lead alerts on every configured channel. */
export const LEAD_ALERT_EVENTS: ReadonlySet<EventType> = new Set(['lead.created', 'sla.warning', 'sla.breached']);

/** Events the relay turns into operator alerts (on the channels that still work). */
export const OPERATOR_ALERT_EVENTS: ReadonlySet<EventType> = new Set(['notification.failed', 'ingestion.failed']);

/** The daily digest is delivered like an alert, to the digest recipients (email) and Slack. */
export const DIGEST_EVENTS: ReadonlySet<EventType> = new Set(['digest.sent']);

/**
 * Events about one lead that outbound webhooks may subscribe to (OUTBOUND_WEBHOOK_EVENTS). Each goes out
 * with the whole lead; delivery and system events (notification.*, digest.sent, ingestion.failed) never do.
 */
export const WEBHOOK_EVENT_TYPES = [
  'lead.created',
  'lead.assigned',
  'lead.responded',
  'lead.status_changed',
  'lead.erased',
  'sla.warning',
  'sla.breached',
  'sla.escalated',
  'task.created',
  'task.completed',
] as const satisfies readonly EventType[];

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** What an outbound webhook receives when OUTBOUND_WEBHOOK_EVENTS is not set: the lead's life, not its bookkeeping. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventType[] = [
  'lead.created',
  'lead.assigned',
  'lead.responded',
  'lead.status_changed',
  'sla.breached',
];

/**
 * Events born processed: no channel ever delivers them, so the relay need not look at them. The record of
 * each delivery is the one high-volume event, and delivering it would loop. An erasure alerts nobody, and
 * born processed it leaves the outbox count (and so the stats) as it was.
 */
export const NEVER_RELAYED_EVENTS: ReadonlySet<EventType> = new Set(['notification.sent', 'lead.erased']);

/** Postgres NOTIFY channel that wakes the relay when an unprocessed event commits. */
export const OUTBOX_NOTIFY_CHANNEL = 'leadline_outbox';

/** Postgres NOTIFY channel for every new event (admin panel live stream). */
export const EVENT_STREAM_NOTIFY_CHANNEL = 'leadline_events';
