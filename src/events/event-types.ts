/**
 * Glossary
 * - lead: one person who asked for something; a row in `conversations`.
 * - event: a past-tense fact about a lead or the system, a row in `lead_events`.
 * - outbox: the unprocessed events. A capture writes the lead and its `lead.created` event in one
 *   transaction, so an event exists if and only if the lead does.
 * - delivery: one (event, channel) pair that must reach a provider exactly once.
 * - attempt: one try of a delivery, a row in `notification_logs`.
 * - SLA: the response deadline a lead gets from its quality (HOT 15 min, WARM 1 h, COLD 24 h).
 */

export const EVENT_TYPES = [
  'lead.created',
  'lead.responded',
  'lead.status_changed',
  'notification.sent',
  'notification.failed',
  'sla.warning',
  'sla.breached',
  'task.created',
  'task.completed',
  'digest.sent',
  // A provider source stopped (e.g. Meta token expired): an operator alert. Not in SPEC.md's list; added
  // because "a source stopped ingesting" is a fact operators must hear about.
  'ingestion.failed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Events the relay turns into lead alerts on every configured channel. */
export const LEAD_ALERT_EVENTS: ReadonlySet<EventType> = new Set(['lead.created', 'sla.warning', 'sla.breached']);

/** Events the relay turns into operator alerts (on the channels that still work). */
export const OPERATOR_ALERT_EVENTS: ReadonlySet<EventType> = new Set(['notification.failed', 'ingestion.failed']);

/** The daily digest is delivered like an alert, to the digest recipients (email) and Slack. */
export const DIGEST_EVENTS: ReadonlySet<EventType> = new Set(['digest.sent']);

/** Postgres NOTIFY channel that wakes the relay when an unprocessed event commits. */
export const OUTBOX_NOTIFY_CHANNEL = 'leadline_outbox';

/** Postgres NOTIFY channel for every new event (admin panel live stream). */
export const EVENT_STREAM_NOTIFY_CHANNEL = 'leadline_events';
